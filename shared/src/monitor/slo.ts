import { ConfigurationError, didYouMean } from '../errors.js';
import { formatMetricValue, parseThresholds } from '../evaluate/rules.js';

/** The metrics an SLO rule may name, and what they mean. */
export const SLO_METRICS: Record<string, string> = {
  p50_latency_ms: 'client-side median latency',
  p95_latency_ms: 'client-side 95th percentile latency',
  p99_latency_ms: 'client-side 99th percentile latency',
  mean_latency_ms: 'client-side mean latency',
  max_latency_ms: 'client-side maximum latency',
  error_rate: 'share of requests that failed (status >= 400 or no answer)',
  throughput_rps: 'answered requests per second',
  server_p95_latency_ms: 'server-side 95th percentile latency (from /metrics)',
  server_error_rate: 'server-side share of responses >= 500 (from /metrics)',
  memory_mb: 'resident memory of the server process (from /metrics)',
  cpu_percent: 'CPU use of the server process during the window (from /metrics)',
  mean_batch_size: 'mean rows per model call (from /metrics)',
  prediction_mismatch_rate: 'share of sampled examples whose served class differs from the model run in-process',
  log_errors: 'error and fatal log lines in the window',
  restarts: 'container restarts',
};

export interface SloRule {
  metric: string;
  op: '>=' | '>' | '<=' | '<' | '==';
  value: number;
  text: string;
}

export interface SloResult {
  rule: string;
  metric: string;
  observed: number;
  limit: number;
  passed: boolean;
  message: string;
}

/** Parses SLO rules (one per line, `metric op number`), failing closed on unknown metrics. */
export function parseSlo(text: string): SloRule[] {
  const rules = parseThresholds(text, 'slo');
  const names = Object.keys(SLO_METRICS);
  return rules.map((r) => {
    if (!(r.metric in SLO_METRICS)) {
      throw new ConfigurationError(`line ${r.line} '${r.text}': there is no metric '${r.metric}'${didYouMean(r.metric, names)}; the SLO metrics are: ${names.join(', ')}.`, { input: 'slo' });
    }
    return { metric: r.metric, op: r.op, value: r.value, text: r.text };
  });
}

const HOLDS: Record<SloRule['op'], (a: number, b: number) => boolean> = {
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
  '<=': (a, b) => a <= b,
  '<': (a, b) => a < b,
  '==': (a, b) => a === b,
};

const BREACH_WORDS: Record<SloRule['op'], string> = { '>=': 'is below', '>': 'is not above', '<=': 'exceeds', '<': 'is not below', '==': 'is not' };

/** Evaluates every rule; a metric that could not be measured breaches (fail closed). */
export function evaluateSlo(rules: SloRule[], observed: Record<string, number>): SloResult[] {
  return rules.map((r) => {
    const value = observed[r.metric];
    if (value === undefined || !Number.isFinite(value)) {
      return { rule: r.text, metric: r.metric, observed: NaN, limit: r.value, passed: false, message: `${r.metric} could not be measured in this run, so '${r.text}' cannot be shown to hold` };
    }
    const passed = HOLDS[r.op](value, r.value);
    const shown = formatMetricValue(value);
    return {
      rule: r.text,
      metric: r.metric,
      observed: value,
      limit: r.value,
      passed,
      message: passed ? `${r.metric} ${shown} meets ${r.op} ${formatMetricValue(r.value)}` : `${r.metric} ${shown} ${BREACH_WORDS[r.op]} the limit ${formatMetricValue(r.value)} (${r.op} ${formatMetricValue(r.value)})`,
    };
  });
}
