import { readActionInput } from '../../../shared/src/runtime/action.js';
import { buildImageStage } from '../../../shared/src/stages/build-image.js';
import type { BuildImageOptions } from '../../../shared/src/image/build.js';

/** The typed inputs of this action, read from the runner (INPUT_<NAME>). */
export function getInputs(): BuildImageOptions {
  return buildImageStage.parseInputs(readActionInput);
}
