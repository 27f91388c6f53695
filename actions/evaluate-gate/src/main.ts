import { runAction } from '../../../shared/src/runtime/action.js';
import { evaluateGateStage } from '../../../shared/src/stages/evaluate-gate.js';
import { getInputs } from './inputs.js';

/** inputs → evaluateGate() → outputs and job summary. */
export function run(): Promise<void> {
  return runAction(evaluateGateStage, getInputs);
}
