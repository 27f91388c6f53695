import { readActionInput } from '../../../shared/src/runtime/action.js';
import { postMetricsCommentStage } from '../../../shared/src/stages/post-metrics-comment.js';
import type { PostOptions } from '../../../shared/src/comment/post.js';

/** The typed inputs of this action, read from the runner (INPUT_<NAME>). */
export function getInputs(): PostOptions {
  return postMetricsCommentStage.parseInputs(readActionInput);
}
