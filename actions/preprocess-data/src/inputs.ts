import { readActionInput } from '../../../shared/src/runtime/action.js';
import { preprocessDataStage } from '../../../shared/src/stages/preprocess-data.js';
import type { PreprocessOptions } from '../../../shared/src/data/preprocess.js';

/** The typed inputs of this action, read from the runner (INPUT_<NAME>). */
export function getInputs(): PreprocessOptions {
  return preprocessDataStage.parseInputs(readActionInput);
}
