import { monitorModel, type MonitorOptions, type MonitorResult } from '../monitor/monitor.js';
import { readBoolean, readNumber, readRequired, readString, type InputReader } from '../runtime/inputs.js';
import { withDefaults, type Stage } from '../runtime/stage.js';
import { parseDuration } from './deploy-k8s.js';

const defaults = {
  duration: '10s',
  connections: '4',
  rate: '0',
  'max-requests': '20000',
  logs: 'true',
  'log-since': '15m',
  'fail-on-breach': 'true',
  'rollback-on-breach': 'false',
  output: 'mlops-artifacts',
  upload: 'false',
} as const;

function parseInputs(raw: InputReader): MonitorOptions {
  const read = withDefaults(raw, defaults);
  return {
    target: readRequired(read, 'target', "a Deployment artifact (deploy-k8s's deployment output), the model server's URL (http://host:port), or a container id or name on the Docker host."),
    model: readString(read, 'model'),
    dataset: readString(read, 'dataset'),
    url: readString(read, 'url'),
    kubeconfig: read('kubeconfig'),
    context: readString(read, 'context'),
    dockerHost: readString(read, 'docker-host'),
    durationMs: parseDuration(read('duration'), 'duration'),
    connections: readNumber(read, 'connections', 4, { integer: true, min: 1, max: 256 }),
    rate: readNumber(read, 'rate', 0, { min: 0, max: 100000 }),
    maxRequests: readNumber(read, 'max-requests', 20000, { integer: true, min: 1, max: 1_000_000 }),
    slo: read('slo'),
    logs: readBoolean(read, 'logs', true),
    logSinceMs: parseDuration(read('log-since'), 'log-since'),
    failOnBreach: readBoolean(read, 'fail-on-breach', true),
    rollbackOnBreach: readBoolean(read, 'rollback-on-breach', false),
    name: readString(read, 'name'),
    output: readString(read, 'output', defaults.output),
    upload: readBoolean(read, 'upload', false),
  };
}

/** monitor-model: load, SLOs, prediction sanity and log analysis for a deployed model. */
export const monitorModelStage: Stage<MonitorOptions, MonitorResult> = {
  name: 'monitor-model',
  inputs: ['target', 'model', 'dataset', 'url', 'kubeconfig', 'context', 'docker-host', 'duration', 'connections', 'rate', 'max-requests', 'slo', 'logs', 'log-since', 'fail-on-breach', 'rollback-on-breach', 'name', 'output', 'upload'],
  defaults,
  secretInputs: ['kubeconfig'],
  parseInputs,
  execute: monitorModel,
  outputs: (r) => {
    const s = r.report.spec;
    return {
      report: r.path,
      passed: String(r.passed),
      'p50-ms': String(s.client.latencyMs.p50),
      'p95-ms': String(s.client.latencyMs.p95),
      'p99-ms': String(s.client.latencyMs.p99),
      rps: String(s.client.rps),
      'error-rate': String(s.client.errorRate),
      markdown: r.markdownPath,
      ...(r.uploaded ? { 'artifact-ref': r.uploaded } : {}),
    };
  },
  summary: (r) => r.markdown,
  failure: (r) => (r.passed || !r.failOnBreach ? undefined : `SLO breached: ${r.report.spec.slo.filter((x) => !x.passed).map((x) => x.message).join('; ')}${r.report.spec.rollback ? `; rolled back to revision ${r.report.spec.rollback.toRevision}` : ''}.`),
};
