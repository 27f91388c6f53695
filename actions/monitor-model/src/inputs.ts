import { readActionInput } from '../../../shared/src/runtime/action.js';
import { monitorModelStage } from '../../../shared/src/stages/monitor-model.js';
import type { MonitorOptions } from '../../../shared/src/monitor/monitor.js';

/** The typed inputs of this action, read from the runner (INPUT_<NAME>). */
export function getInputs(): MonitorOptions {
  return monitorModelStage.parseInputs(readActionInput);
}
