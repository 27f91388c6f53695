import { runAction } from '../../../shared/src/runtime/action.js';
import { trainModelStage } from '../../../shared/src/stages/train-model.js';
import { getInputs } from './inputs.js';

/** inputs → trainModel() → outputs and job summary. */
export function run(): Promise<void> {
  return runAction(trainModelStage, getInputs);
}
