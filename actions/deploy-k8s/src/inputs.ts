import { readActionInput } from '../../../shared/src/runtime/action.js';
import { deployK8sStage } from '../../../shared/src/stages/deploy-k8s.js';
import type { DeployOptions } from '../../../shared/src/deploy/deploy.js';

/** The typed inputs of this action, read from the runner (INPUT_<NAME>). */
export function getInputs(): DeployOptions {
  return deployK8sStage.parseInputs(readActionInput);
}
