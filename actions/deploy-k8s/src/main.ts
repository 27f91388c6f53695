import { runAction } from '../../../shared/src/runtime/action.js';
import { deployK8sStage } from '../../../shared/src/stages/deploy-k8s.js';
import { getInputs } from './inputs.js';

/** inputs → deployK8s() → outputs and job summary. */
export function run(): Promise<void> {
  return runAction(deployK8sStage, getInputs);
}
