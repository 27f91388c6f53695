import { readActionInput } from '../../../shared/src/runtime/action.js';
import { trainModelStage } from '../../../shared/src/stages/train-model.js';
import type { TrainOptions } from '../../../shared/src/train/train.js';

/** The typed inputs of this action, read from the runner (INPUT_<NAME>). */
export function getInputs(): TrainOptions {
  return trainModelStage.parseInputs(readActionInput);
}
