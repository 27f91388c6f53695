import type { Stage } from '../runtime/stage.js';
import { preprocessDataStage } from './preprocess-data.js';
import { trainModelStage } from './train-model.js';
import { evaluateGateStage } from './evaluate-gate.js';
import { postMetricsCommentStage } from './post-metrics-comment.js';
import { buildImageStage } from './build-image.js';
import { deployK8sStage } from './deploy-k8s.js';
import { monitorModelStage } from './monitor-model.js';

/** Every stage, by action / subcommand name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const stages: Record<string, Stage<any, any>> = {
  [preprocessDataStage.name]: preprocessDataStage,
  [trainModelStage.name]: trainModelStage,
  [evaluateGateStage.name]: evaluateGateStage,
  [postMetricsCommentStage.name]: postMetricsCommentStage,
  [buildImageStage.name]: buildImageStage,
  [deployK8sStage.name]: deployK8sStage,
  [monitorModelStage.name]: monitorModelStage,
};
