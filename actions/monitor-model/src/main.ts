import { runAction } from '../../../shared/src/runtime/action.js';
import { monitorModelStage } from '../../../shared/src/stages/monitor-model.js';
import { getInputs } from './inputs.js';

/** inputs → monitorModel() → outputs and job summary. */
export function run(): Promise<void> {
  return runAction(monitorModelStage, getInputs);
}
