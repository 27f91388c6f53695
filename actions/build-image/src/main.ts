import { runAction } from '../../../shared/src/runtime/action.js';
import { buildImageStage } from '../../../shared/src/stages/build-image.js';
import { getInputs } from './inputs.js';

/** inputs → buildImage() → outputs and job summary. */
export function run(): Promise<void> {
  return runAction(buildImageStage, getInputs);
}
