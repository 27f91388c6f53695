import { ConfigurationError, didYouMean } from '../errors.js';
import { metricDirection, PER_CLASS_METRICS, splitMetricName } from './metrics.js';

export type ComparisonOperator = '>=' | '>' | '<=' | '<' | '==';

/** One line of `thresholds`: the metric must compare to the value, e.g. `recall[Sneaker] >= 0.9`. */
export interface ThresholdRule {
  metric: string;
  op: ComparisonOperator;
  value: number;
  /** 1-based line in the input text. */
  line: number;
  /** The line as written, trimmed. */
  text: string;
  /** The input the rule came from (for error messages); 'thresholds' when absent. */
  input?: string;
}

/** One line of `max-regression`: how much the metric may worsen against the baseline. */
export interface RegressionRule {
  metric: string;
  /** Absolute amount, or a percentage of the baseline value when `relative`. */
  amount: number;
  relative: boolean;
  line: number;
  text: string;
  /** The input the rule came from (for error messages); 'max-regression' when absent. */
  input?: string;
}

export interface RuleResult {
  /** The rule as written. */
  rule: string;
  kind: 'threshold' | 'regression';
  metric: string;
  observed: number;
  /** Threshold rules: the value compared to. Regression rules: the allowed worsening, absolute. */
  threshold?: number;
  baseline?: number;
  /** observed − baseline (regression rules). */
  delta?: number;
  passed: boolean;
  message: string;
}

export interface RuleEvaluation {
  /** True when every rule passed (and vacuously when there are none). */
  passed: boolean;
  results: RuleResult[];
}

export interface EvaluateRulesOptions {
  /** Flat snake_case metrics (`flattenMetrics`). */
  metrics: Record<string, number>;
  /** Confidence intervals by the same names, shown next to the observed value. */
  intervals?: Record<string, [number, number]>;
  rules: ThresholdRule[];
  regressions: RegressionRule[];
  /** Flat metrics of the model to compare against; required when there are regression rules. */
  baseline?: Record<string, number> | undefined;
  /** Class names, for per-class rules; derived from the metric names when absent. */
  classes?: string[];
}

const NAME = String.raw`([A-Za-z_][A-Za-z0-9_]*)`;
const CLASS = String.raw`(?:\s*\[(.+)\])?`;
const NUMBER = String.raw`([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)`;
const TRAILING_COMMENT = String.raw`(?:\s+#.*)?`;
const THRESHOLD_LINE = new RegExp(String.raw`^${NAME}${CLASS}\s*(>=|<=|==|>|<)\s*${NUMBER}${TRAILING_COMMENT}$`);
const REGRESSION_LINE = new RegExp(String.raw`^${NAME}${CLASS}\s*:\s*${NUMBER}\s*(%)?${TRAILING_COMMENT}$`);

/**
 * Rules from one-per-line text: `<metric> <op> <number>`, op one of >= > <= < ==, the metric
 * optionally per class as `recall[T-shirt/top]`. Blank lines and lines starting with # are skipped;
 * ` # …` after a rule is a comment.
 */
export function parseThresholds(text: string, input = 'thresholds'): ThresholdRule[] {
  const rules: ThresholdRule[] = [];
  forEachRuleLine(text, (line, trimmed) => {
    const match = THRESHOLD_LINE.exec(trimmed);
    if (!match) {
      throw new ConfigurationError(
        `line ${line} '${trimmed}' is not a rule; write one rule per line as '<metric> <op> <number>' with op one of >=, >, <=, <, ==, e.g. 'accuracy >= 0.97' or 'recall[Sneaker] >= 0.9'`,
        { input },
      );
    }
    const [, name, className, op, number] = match;
    rules.push({ metric: metricName(name, className), op: op as ComparisonOperator, value: Number(number), line, text: trimmed, input });
  });
  return rules;
}

/**
 * Allowed regressions from one-per-line text: `<metric>: <amount>` (absolute, in the metric's
 * units) or `<metric>: <amount>%` (relative to the baseline value).
 */
export function parseMaxRegression(text: string, input = 'max-regression'): RegressionRule[] {
  const rules: RegressionRule[] = [];
  forEachRuleLine(text, (line, trimmed) => {
    const match = REGRESSION_LINE.exec(trimmed);
    const amount = match ? Number(match[3]) : NaN;
    if (!match || amount < 0) {
      throw new ConfigurationError(
        `line ${line} '${trimmed}' is not a rule; write one rule per line as '<metric>: <amount>' or '<metric>: <percent>%' with a non-negative amount, e.g. 'accuracy: 0.005' or 'f1_macro: 1%'`,
        { input },
      );
    }
    rules.push({ metric: metricName(match[1], match[2]), amount, relative: match[4] === '%', line, text: trimmed, input });
  });
  return rules;
}

function forEachRuleLine(text: string, visit: (line: number, trimmed: string) => void): void {
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) visit(i + 1, trimmed);
  });
}

function metricName(name: string, className: string | undefined): string {
  const base = name.toLowerCase();
  return className === undefined ? base : `${base}[${className.trim()}]`;
}

/**
 * Checks every rule against the metrics. Fails closed: a rule on a metric or class that does not
 * exist, or a regression rule without a baseline value to compare to, is a ConfigurationError
 * rather than a pass. A metric that could not be computed (NaN) fails its rule.
 */
export function evaluateRules(options: EvaluateRulesOptions): RuleEvaluation {
  const { metrics, intervals = {}, rules, regressions, baseline } = options;
  const results: RuleResult[] = [];

  for (const rule of rules) {
    const input = rule.input ?? 'thresholds';
    resolveMetric(rule.metric, rule, input, metrics, options.classes);
    const observed = metrics[rule.metric];
    const passed = compare(observed, rule.op, rule.value);
    const shown = `${rule.metric} ${describeValue(observed, intervals[rule.metric])}`;
    const message = Number.isNaN(observed)
      ? `${rule.metric} could not be computed on this data (a class with no rows?), so it does not meet ${rule.op} ${formatMetricValue(rule.value)}`
      : passed
        ? `${shown} meets ${rule.op} ${formatMetricValue(rule.value)}`
        : `${shown} ${FAILURE_WORDS[rule.op]} ${formatMetricValue(rule.value)}`;
    results.push({ rule: rule.text, kind: 'threshold', metric: rule.metric, observed, threshold: rule.value, passed, message });
  }

  if (regressions.length > 0 && !baseline) {
    const first = regressions[0];
    throw new ConfigurationError(
      `${first.input ?? 'max-regression'} has ${regressions.length} rule(s) (line ${first.line} '${first.text}') but no baseline was given; give the baseline model's metrics or remove the max-regression rules`,
      { input: 'baseline' },
    );
  }
  for (const rule of regressions) {
    const input = rule.input ?? 'max-regression';
    resolveMetric(rule.metric, rule, input, metrics, options.classes);
    const before = baseline![rule.metric];
    if (before === undefined) {
      const known = Object.keys(baseline!);
      throw new ConfigurationError(
        `line ${rule.line} '${rule.text}': the baseline has no metric '${rule.metric}'${didYouMean(rule.metric, known)}, so the regression cannot be checked; the baseline has: ${summariseNames(known)}`,
        { input },
      );
    }
    const observed = metrics[rule.metric];
    const higher = metricDirection(rule.metric) === 'higher';
    const allowed = rule.relative ? (Math.abs(before) * rule.amount) / 100 : rule.amount;
    const delta = observed - before;
    const worsening = higher ? -delta : delta;
    // A tolerance of a few ulps so that e.g. 0.975 → 0.970 with 0.005 allowed passes.
    const passed = Number.isFinite(worsening) && worsening <= allowed + 1e-12 * Math.max(1, Math.abs(before));
    const allowedText = rule.relative ? `${formatMetricValue(rule.amount)}% (${formatMetricValue(allowed)})` : formatMetricValue(allowed);
    const change = `(${formatMetricValue(before)} → ${describeValue(observed, intervals[rule.metric])})`;
    let message: string;
    if (!Number.isFinite(observed) || !Number.isFinite(before)) {
      message = `${rule.metric} could not be compared ${change}, so the regression check fails`;
    } else if (delta === 0) {
      message = `${rule.metric} is unchanged at ${describeValue(observed, intervals[rule.metric])}`;
    } else {
      const verb = delta > 0 ? 'rose' : 'fell';
      const tail = worsening <= 0 ? 'an improvement' : passed ? `within the allowed ${allowedText}` : `more than the allowed ${allowedText}`;
      message = `${rule.metric} ${verb} by ${formatMetricValue(Math.abs(delta))} ${change}, ${tail}`;
    }
    results.push({ rule: rule.text, kind: 'regression', metric: rule.metric, observed, threshold: allowed, baseline: before, delta, passed, message });
  }

  return { passed: results.every((r) => r.passed), results };
}

const FAILURE_WORDS: Record<ComparisonOperator, string> = {
  '>=': 'is below',
  '>': 'is not above',
  '<=': 'is above',
  '<': 'is not below',
  '==': 'is not equal to',
};

function compare(observed: number, op: ComparisonOperator, value: number): boolean {
  switch (op) {
    case '>=':
      return observed >= value;
    case '>':
      return observed > value;
    case '<=':
      return observed <= value;
    case '<':
      return observed < value;
    case '==':
      return observed === value;
  }
}

/** Throws unless the metric (and its class, for a per-class name) exists. */
function resolveMetric(
  metric: string,
  rule: { line: number; text: string },
  input: string,
  metrics: Record<string, number>,
  classes: string[] | undefined,
): void {
  const where = `line ${rule.line} '${rule.text}'`;
  const names = Object.keys(metrics);
  const { base, className } = splitMetricName(metric);
  const perClassBases = new Set(names.filter((n) => n.includes('[')).map((n) => splitMetricName(n).base));
  if (className !== undefined) {
    if (!perClassBases.has(base)) {
      const choices = [...perClassBases].map((b) => `${b}[<class>]`);
      throw new ConfigurationError(
        `${where}: there is no per-class metric '${base}[…]'${didYouMean(base, [...perClassBases])}; ` +
          (choices.length > 0 ? `per-class metrics are ${choices.join(', ')}` : `these metrics have no per-class values (${summariseNames(names)})`),
        { input },
      );
    }
    const known = classes ?? [...new Set(names.filter((n) => n.startsWith(`${base}[`)).map((n) => splitMetricName(n).className!))];
    if (!known.includes(className) || !(metric in metrics)) {
      throw new ConfigurationError(`${where}: there is no class '${className}'${didYouMean(className, known)}; the classes are: ${known.join(', ')}`, {
        input,
      });
    }
    return;
  }
  if (!(metric in metrics)) {
    const overall = names.filter((n) => !n.includes('['));
    const perClass = PER_CLASS_METRICS.filter((b) => perClassBases.has(b)).map((b) => `${b}[<class>]`);
    throw new ConfigurationError(
      `${where}: there is no metric '${metric}'${didYouMean(metric, overall)}; the metrics are: ${overall.join(', ')}` +
        (perClass.length > 0 ? `, and per class ${perClass.join(', ')}` : ''),
      { input },
    );
  }
}

function summariseNames(names: string[]): string {
  return names.length > 12 ? `${names.slice(0, 12).join(', ')}, … (${names.length} in all)` : names.join(', ') || '(none)';
}

function describeValue(value: number, interval: [number, number] | undefined): string {
  const shown = formatMetricValue(value);
  return interval && Number.isFinite(interval[0]) && Number.isFinite(interval[1])
    ? `${shown} [${formatMetricValue(interval[0])}, ${formatMetricValue(interval[1])}]`
    : shown;
}

/** A metric value for people: at most 4 decimals (0.95123 → 0.9512), small values to 4 significant digits. */
export function formatMetricValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 1e-3) return String(Number(value.toPrecision(4)));
  return String(Number(value.toFixed(4)));
}
