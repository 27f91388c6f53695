import { runAction } from '../../../shared/src/runtime/action.js';
import { postMetricsCommentStage } from '../../../shared/src/stages/post-metrics-comment.js';
import { getInputs } from './inputs.js';

/** inputs → postMetricsComment() → outputs and job summary. */
export function run(): Promise<void> {
  return runAction(postMetricsCommentStage, getInputs);
}
