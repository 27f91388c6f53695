import { readActionInput } from '../../../shared/src/runtime/action.js';
import { evaluateGateStage } from '../../../shared/src/stages/evaluate-gate.js';
import type { EvaluateOptions } from '../../../shared/src/evaluate/evaluate.js';

/** The typed inputs of this action, read from the runner (INPUT_<NAME>). */
export function getInputs(): EvaluateOptions {
  return evaluateGateStage.parseInputs(readActionInput);
}
