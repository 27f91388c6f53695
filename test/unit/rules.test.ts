import { describe, expect, test } from 'vitest';
import { evaluateRules, formatMetricValue, parseMaxRegression, parseThresholds } from '../../shared/src/evaluate/rules.js';
import { classificationMetrics, flattenMetrics } from '../../shared/src/evaluate/metrics.js';
import { ConfigurationError } from '../../shared/src/errors.js';

describe('parseThresholds', () => {
  test.each([
    ['accuracy >= 0.97', { metric: 'accuracy', op: '>=', value: 0.97 }],
    ['recall[Sneaker] >= 0.9', { metric: 'recall[Sneaker]', op: '>=', value: 0.9 }],
    ['recall[T-shirt/top] >= 0.8', { metric: 'recall[T-shirt/top]', op: '>=', value: 0.8 }],
    ['f1[Ankle boot]<0.5', { metric: 'f1[Ankle boot]', op: '<', value: 0.5 }],
    ['  log_loss <= .35   # calibrated enough', { metric: 'log_loss', op: '<=', value: 0.35 }],
    ['roc_auc > 9e-1', { metric: 'roc_auc', op: '>', value: 0.9 }],
    ['R2 == 1', { metric: 'r2', op: '==', value: 1 }],
  ])('%s', (text, want) => {
    expect(parseThresholds(text)).toEqual([{ ...want, line: 1, text: text.trim(), input: 'thresholds' }]);
  });

  test('skips blank lines and comments, keeping line numbers', () => {
    const rules = parseThresholds('# gates\n\naccuracy >= 0.97\r\n   \n  # per class\nrecall[Pullover] > 0.8\n');
    expect(rules.map((r) => [r.line, r.metric])).toEqual([
      [3, 'accuracy'],
      [6, 'recall[Pullover]'],
    ]);
    expect(parseThresholds('\n# nothing\n')).toEqual([]);
  });

  test.each(['accuracy => 0.9', 'accuracy >= high', '>= 0.9', 'accuracy 0.9', 'recall[] >= 0.9', 'accuracy >= 0.9 extra', 'accuracy = 0.9'])(
    '%s is rejected with the line and the expected form',
    (bad) => {
      const text = `accuracy >= 0.5\n${bad}`;
      expect(() => parseThresholds(text, 'gates')).toThrow(ConfigurationError);
      expect(() => parseThresholds(text, 'gates')).toThrow(
        `Input 'gates': line 2 '${bad}' is not a rule; write one rule per line as '<metric> <op> <number>' with op one of >=, >, <=, <, ==, e.g. 'accuracy >= 0.97' or 'recall[Sneaker] >= 0.9'`,
      );
    },
  );
});

describe('parseMaxRegression', () => {
  test.each([
    ['accuracy: 0.005', { metric: 'accuracy', amount: 0.005, relative: false }],
    ['f1_macro: 1%', { metric: 'f1_macro', amount: 1, relative: true }],
    ['log_loss :0.02 # calibrated', { metric: 'log_loss', amount: 0.02, relative: false }],
    ['recall[T-shirt/top]: 2.5 %', { metric: 'recall[T-shirt/top]', amount: 2.5, relative: true }],
    ['accuracy: 0', { metric: 'accuracy', amount: 0, relative: false }],
  ])('%s', (text, want) => {
    expect(parseMaxRegression(text)).toEqual([{ ...want, line: 1, text, input: 'max-regression' }]);
  });

  test.each(['accuracy 0.005', 'accuracy: -0.01', 'accuracy: 1%%', 'accuracy: five', ': 0.1', 'accuracy >= 0.9'])('%s is rejected', (bad) => {
    expect(() => parseMaxRegression(`# allowed\n\n${bad}`)).toThrow(
      `Input 'max-regression': line 3 '${bad}' is not a rule; write one rule per line as '<metric>: <amount>' or '<metric>: <percent>%' with a non-negative amount, e.g. 'accuracy: 0.005' or 'f1_macro: 1%'`,
    );
  });
});

const classes = ['Sneaker', 'T-shirt/top'];
const metrics: Record<string, number> = {
  accuracy: 0.951,
  f1_macro: 0.89,
  log_loss: 0.2,
  roc_auc: 0.97,
  'recall[Sneaker]': 0.91,
  'recall[T-shirt/top]': 0.79,
  'precision[Sneaker]': 0.95,
  'precision[T-shirt/top]': 0.8,
  'roc_auc[Sneaker]': NaN,
  'roc_auc[T-shirt/top]': 0.99,
};
const baseline: Record<string, number> = { accuracy: 0.963, f1_macro: 0.9, log_loss: 0.18, roc_auc: 0.97, 'recall[Sneaker]': 0.9 };

describe('evaluateRules: thresholds', () => {
  test.each([
    ['accuracy >= 0.97', false, 'accuracy 0.951 is below 0.97'],
    ['accuracy >= 0.95', true, 'accuracy 0.951 meets >= 0.95'],
    ['accuracy > 0.951', false, 'accuracy 0.951 is not above 0.951'],
    ['accuracy == 0.951', true, 'accuracy 0.951 meets == 0.951'],
    ['accuracy == 0.95', false, 'accuracy 0.951 is not equal to 0.95'],
    ['log_loss <= 0.1', false, 'log_loss 0.2 is above 0.1'],
    ['log_loss < 0.2', false, 'log_loss 0.2 is not below 0.2'],
    ['log_loss < 0.3', true, 'log_loss 0.2 meets < 0.3'],
    ['recall[T-shirt/top] >= 0.8', false, 'recall[T-shirt/top] 0.79 is below 0.8'],
    ['recall[Sneaker] >= 0.9', true, 'recall[Sneaker] 0.91 meets >= 0.9'],
    ['roc_auc[Sneaker] >= 0.5', false, 'roc_auc[Sneaker] could not be computed on this data (a class with no rows?), so it does not meet >= 0.5'],
  ])('%s', (rule, passed, message) => {
    const got = evaluateRules({ metrics, rules: parseThresholds(rule), regressions: [] });
    expect(got.passed).toBe(passed);
    expect(got.results).toEqual([
      { rule, kind: 'threshold', metric: parseThresholds(rule)[0].metric, observed: metrics[parseThresholds(rule)[0].metric], threshold: parseThresholds(rule)[0].value, passed, message },
    ]);
  });

  test('shows the interval when there is one', () => {
    const got = evaluateRules({
      metrics,
      intervals: { accuracy: [0.94012, 0.96049] },
      rules: parseThresholds('accuracy >= 0.97\naccuracy >= 0.9'),
      regressions: [],
    });
    expect(got.results.map((r) => r.message)).toEqual(['accuracy 0.951 [0.9401, 0.9605] is below 0.97', 'accuracy 0.951 [0.9401, 0.9605] meets >= 0.9']);
    expect(got.passed).toBe(false);
  });

  test('no rules pass vacuously', () => {
    expect(evaluateRules({ metrics, rules: [], regressions: [] })).toEqual({ passed: true, results: [] });
  });
});

describe('evaluateRules: max regression', () => {
  test.each([
    ['accuracy: 0.005', false, -0.012, 0.005, 'accuracy fell by 0.012 (0.963 → 0.951), more than the allowed 0.005'],
    ['accuracy: 0.02', true, -0.012, 0.02, 'accuracy fell by 0.012 (0.963 → 0.951), within the allowed 0.02'],
    ['f1_macro: 1%', false, -0.01, 0.009, 'f1_macro fell by 0.01 (0.9 → 0.89), more than the allowed 1% (0.009)'],
    ['f1_macro: 2%', true, -0.01, 0.018, 'f1_macro fell by 0.01 (0.9 → 0.89), within the allowed 2% (0.018)'],
    // a rise in log loss is the regression
    ['log_loss: 0.01', false, 0.02, 0.01, 'log_loss rose by 0.02 (0.18 → 0.2), more than the allowed 0.01'],
    ['recall[Sneaker]: 0', true, 0.01, 0, 'recall[Sneaker] rose by 0.01 (0.9 → 0.91), an improvement'],
    ['roc_auc: 0', true, 0, 0, 'roc_auc is unchanged at 0.97'],
  ])('%s', (rule, passed, delta, allowed, message) => {
    const got = evaluateRules({ metrics, rules: [], regressions: parseMaxRegression(rule), baseline, classes });
    expect(got.passed).toBe(passed);
    const metric = parseMaxRegression(rule)[0].metric;
    expect(got.results).toEqual([
      { rule, kind: 'regression', metric, observed: metrics[metric], baseline: baseline[metric], delta: expect.closeTo(delta, 9), threshold: expect.closeTo(allowed, 9), passed, message },
    ]);
  });

  test('a drop of exactly the allowed amount passes despite floating point', () => {
    const got = evaluateRules({ metrics: { accuracy: 0.97 }, rules: [], regressions: parseMaxRegression('accuracy: 0.005'), baseline: { accuracy: 0.975 } });
    expect(got.results[0]).toMatchObject({ passed: true, message: 'accuracy fell by 0.005 (0.975 → 0.97), within the allowed 0.005' });
  });

  test('shows the interval of the new value', () => {
    const got = evaluateRules({ metrics, intervals: { accuracy: [0.94, 0.96] }, rules: [], regressions: parseMaxRegression('accuracy: 0.005'), baseline });
    expect(got.results[0].message).toBe('accuracy fell by 0.012 (0.963 → 0.951 [0.94, 0.96]), more than the allowed 0.005');
  });

  test('passes only when thresholds and regressions all pass', () => {
    const run = (thresholds: string, regressions: string) =>
      evaluateRules({ metrics, rules: parseThresholds(thresholds), regressions: parseMaxRegression(regressions), baseline }).passed;
    expect(run('accuracy >= 0.9', 'accuracy: 0.02')).toBe(true);
    expect(run('accuracy >= 0.9', 'accuracy: 0.001')).toBe(false);
    expect(run('accuracy >= 0.99', 'accuracy: 0.02')).toBe(false);
  });
});

describe('evaluateRules fails closed', () => {
  const thresholds = (text: string, extra: { classes?: string[]; metrics?: Record<string, number> } = {}) => () =>
    evaluateRules({ metrics: extra.metrics ?? metrics, rules: parseThresholds(text), regressions: [], classes: extra.classes });
  const regressions = (text: string, base: Record<string, number> | null = baseline) => () =>
    evaluateRules({ metrics, rules: [], regressions: parseMaxRegression(text), baseline: base ?? undefined });

  test.each([
    {
      case: 'unknown metric, with a suggestion and the metrics that exist',
      run: thresholds('accuracy >= 0.5\nacuracy >= 0.9'),
      message:
        "Input 'thresholds': line 2 'acuracy >= 0.9': there is no metric 'acuracy' (did you mean 'accuracy'?); the metrics are: accuracy, f1_macro, log_loss, roc_auc, and per class precision[<class>], recall[<class>], roc_auc[<class>]",
    },
    {
      case: 'unknown class, with a suggestion and the classes',
      run: thresholds('recall[Sneakr] >= 0.9'),
      message: "Input 'thresholds': line 1 'recall[Sneakr] >= 0.9': there is no class 'Sneakr' (did you mean 'Sneaker'?); the classes are: Sneaker, T-shirt/top",
    },
    {
      case: 'unknown class from the given class list',
      run: thresholds('precision[Bag] >= 0.9', { classes: ['Sneaker', 'T-shirt/top', 'Coat'] }),
      message: "Input 'thresholds': line 1 'precision[Bag] >= 0.9': there is no class 'Bag'; the classes are: Sneaker, T-shirt/top, Coat",
    },
    {
      case: 'per-class form of a metric that has none',
      run: thresholds('accuracy[Sneaker] >= 0.9'),
      message: "Input 'thresholds': line 1 'accuracy[Sneaker] >= 0.9': there is no per-class metric 'accuracy[…]'; per-class metrics are recall[<class>], precision[<class>], roc_auc[<class>]",
    },
    {
      case: 'per-class rule on regression metrics',
      run: thresholds('recall[x] >= 0.5', { metrics: { mse: 1, rmse: 1, mae: 1, r2: 0 } }),
      message: "Input 'thresholds': line 1 'recall[x] >= 0.5': there is no per-class metric 'recall[…]'; these metrics have no per-class values (mse, rmse, mae, r2)",
    },
    {
      case: 'classification rule on regression metrics',
      run: thresholds('accuracy >= 0.5', { metrics: { mse: 1, rmse: 1, mae: 1, r2: 0 } }),
      message: "Input 'thresholds': line 1 'accuracy >= 0.5': there is no metric 'accuracy'; the metrics are: mse, rmse, mae, r2",
    },
    {
      case: 'regression rules without a baseline',
      run: regressions('accuracy: 0.005\nf1_macro: 1%', null),
      message:
        "Input 'baseline': max-regression has 2 rule(s) (line 1 'accuracy: 0.005') but no baseline was given; give the baseline model's metrics or remove the max-regression rules",
    },
    {
      case: 'regression rule on an unknown metric',
      run: regressions('f1_marco: 0.01'),
      message: "Input 'max-regression': line 1 'f1_marco: 0.01': there is no metric 'f1_marco' (did you mean 'f1_macro'?)",
    },
    {
      case: 'regression rule on a metric the baseline lacks',
      run: regressions('recall[T-shirt/top]: 0.01'),
      message:
        "Input 'max-regression': line 1 'recall[T-shirt/top]: 0.01': the baseline has no metric 'recall[T-shirt/top]', so the regression cannot be checked; the baseline has: accuracy, f1_macro, log_loss, roc_auc, recall[Sneaker]",
    },
  ])('$case', ({ run, message }) => {
    expect(run).toThrow(ConfigurationError);
    expect(run).toThrow(message);
  });
});

describe('rules over real metrics', () => {
  test('flattenMetrics names are what the rules name', () => {
    const m = classificationMetrics(
      Int32Array.from([0, 0, 1, 1, 2, 2]),
      Float32Array.from([0.7, 0.2, 0.1, 0.3, 0.6, 0.1, 0.2, 0.7, 0.1, 0.1, 0.8, 0.1, 0.1, 0.3, 0.6, 0.5, 0.2, 0.3]),
      ['T-shirt/top', 'Ankle boot', 'Bag'],
    );
    const got = evaluateRules({
      metrics: flattenMetrics(m),
      rules: parseThresholds('accuracy >= 0.6\nrecall[Ankle boot] >= 1\nprecision[T-shirt/top] > 0.5\ntop_k_accuracy == 1\nlog_loss <= 0.5'),
      regressions: [],
      classes: m.classes,
    });
    expect(got.results.map((r) => r.message)).toEqual([
      'accuracy 0.6667 meets >= 0.6',
      'recall[Ankle boot] 1 meets >= 1',
      'precision[T-shirt/top] 0.5 is not above 0.5',
      'top_k_accuracy 1 meets == 1',
      'log_loss 0.6425 is above 0.5' // −(2 ln .7 + 2 ln .3 + ln .8 + ln .6) / 6,
    ]);
  });
});

describe('formatMetricValue', () => {
  test.each([
    [0.951, '0.951'],
    [0.97, '0.97'],
    [0.95123456, '0.9512'],
    [0.012000000000000011, '0.012'],
    [12345.6789, '12345.6789'],
    [1, '1'],
    [0, '0'],
    [0.000123456, '0.0001235'],
    [-0.5, '-0.5'],
    [NaN, 'NaN'],
  ])('%s → %s', (value, want) => {
    expect(formatMetricValue(value)).toBe(want);
  });
});
