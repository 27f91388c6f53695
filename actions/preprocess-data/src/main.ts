import { runAction } from '../../../shared/src/runtime/action.js';
import { preprocessDataStage } from '../../../shared/src/stages/preprocess-data.js';
import { getInputs } from './inputs.js';

/** inputs → preprocessData() → outputs and job summary. */
export function run(): Promise<void> {
  return runAction(preprocessDataStage, getInputs);
}
