import { describe, expect, test } from 'vitest';
import {
  bootstrapIntervals,
  classificationHeadline,
  classificationMetrics,
  flattenMetrics,
  metricDirection,
  regressionHeadline,
  regressionMetrics,
  resolveTopK,
} from '../../shared/src/evaluate/metrics.js';
import { ConfigurationError } from '../../shared/src/errors.js';
import { createRandom } from '../../shared/src/data/random.js';

const close = (x: number) => expect.closeTo(x, 6);

/** Rows of probabilities → the row-major Float32Array the metrics take. */
const rows = (...r: number[][]) => Float32Array.from(r.flat());
const binary = (p1: number[]) => rows(...p1.map((p) => [1 - p, p]));

// 3 classes, 2 rows each. Argmax predictions: a, b | b, b | c, a.
// Confusion (true × predicted): a [1 1 0], b [0 2 0], c [1 0 1].
const toy = {
  yTrue: Int32Array.from([0, 0, 1, 1, 2, 2]),
  probs: rows([0.7, 0.2, 0.1], [0.3, 0.6, 0.1], [0.2, 0.7, 0.1], [0.1, 0.8, 0.1], [0.1, 0.3, 0.6], [0.5, 0.2, 0.3]),
  classes: ['a', 'b', 'c'],
};

describe('classificationMetrics on a 3-class toy example', () => {
  const m = classificationMetrics(toy.yTrue, toy.probs, toy.classes);

  test('confusion matrix: rows true, columns predicted', () => {
    expect(m.confusion).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 1],
    ]);
  });

  test.each([
    // precision = tp / predicted, recall = tp / support, f1 = 2pr / (p + r)
    { name: 'a', precision: 1 / 2, recall: 1 / 2, f1: 1 / 2, support: 2, rocAuc: 7 / 8 },
    { name: 'b', precision: 2 / 3, recall: 1, f1: 0.8, support: 2, rocAuc: 1 },
    { name: 'c', precision: 1, recall: 1 / 2, f1: 2 / 3, support: 2, rocAuc: 1 },
  ])('class $name', (want) => {
    const got = m.perClass.find((c) => c.name === want.name)!;
    expect(got).toEqual({ ...want, precision: close(want.precision), recall: close(want.recall), f1: close(want.f1), rocAuc: close(want.rocAuc) });
  });

  test.each([
    ['accuracy', 4 / 6],
    ['precisionMacro', (1 / 2 + 2 / 3 + 1) / 3],
    ['recallMacro', (1 / 2 + 1 + 1 / 2) / 3],
    ['f1Macro', (1 / 2 + 0.8 + 2 / 3) / 3],
    // equal supports: weighted = macro
    ['precisionWeighted', (1 / 2 + 2 / 3 + 1) / 3],
    ['recallWeighted', 4 / 6],
    ['f1Weighted', (1 / 2 + 0.8 + 2 / 3) / 3],
    ['logLoss', -(2 * Math.log(0.7) + 2 * Math.log(0.3) + Math.log(0.8) + Math.log(0.6)) / 6],
    ['topKAccuracy', 1], // top-2: both misses have the true class second
    ['rocAuc', (7 / 8 + 1 + 1) / 3],
  ] as const)('%s', (key, want) => {
    expect(m[key]).toBeCloseTo(want, 6);
  });

  test('top-k defaults to min(5, classes − 1)', () => expect(m.topK).toBe(2));

  test('flattenMetrics uses the snake_case rule names', () => {
    const flat = flattenMetrics(m);
    expect(Object.keys(flat)).toEqual([
      'accuracy',
      'precision_macro',
      'recall_macro',
      'f1_macro',
      'precision_weighted',
      'recall_weighted',
      'f1_weighted',
      'log_loss',
      'top_k_accuracy',
      'roc_auc',
      ...['a', 'b', 'c'].flatMap((c) => [`precision[${c}]`, `recall[${c}]`, `f1[${c}]`, `roc_auc[${c}]`]),
    ]);
    expect(flat['precision[b]']).toBeCloseTo(2 / 3, 6);
    expect(flat['roc_auc[a]']).toBeCloseTo(7 / 8, 6);
    expect(flat.f1_macro).toBeCloseTo(m.f1Macro, 12);
  });
});

describe('ROC-AUC (binary: class 1, rank formulation with ties)', () => {
  test.each([
    { case: 'perfect', y: [0, 0, 1, 1], p: [0.1, 0.2, 0.8, 0.9], want: 1 },
    { case: 'inverted', y: [0, 0, 1, 1], p: [0.9, 0.8, 0.2, 0.1], want: 0 },
    { case: 'all tied', y: [0, 1, 0, 1], p: [0.5, 0.5, 0.5, 0.5], want: 0.5 },
    { case: 'scikit-learn example', y: [0, 0, 1, 1], p: [0.1, 0.4, 0.35, 0.8], want: 0.75 },
    // pairs: 0.5 vs {0.2: 1, 0.5: ½}, 0.9 vs both: 2 → 3.5 / 4
    { case: 'a tie across classes', y: [0, 0, 1, 1], p: [0.2, 0.5, 0.5, 0.9], want: 0.875 },
  ])('$case → $want', ({ y, p, want }) => {
    const m = classificationMetrics(Int32Array.from(y), binary(p), ['neg', 'pos']);
    expect(m.rocAuc).toBeCloseTo(want, 6);
    expect(m.perClass[1].rocAuc).toBeCloseTo(want, 6);
    expect(m.topKAccuracy).toBeUndefined();
  });

  test('a class with no rows has no AUC and is left out of the macro average', () => {
    const m = classificationMetrics(Int32Array.from([0, 1, 0, 1]), rows([0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.6, 0.2, 0.2], [0.2, 0.7, 0.1]), ['a', 'b', 'c']);
    expect(m.perClass[2].rocAuc).toBeNaN();
    expect(m.rocAuc).toBe(1);
  });
});

describe('log loss', () => {
  test.each([
    { case: 'known example', y: [1, 0], p: [0.9, 0.2], want: -(Math.log(0.9) + Math.log(0.8)) / 2 },
    { case: 'perfect', y: [1, 0], p: [1, 0], want: -Math.log(1 - 1e-7) },
    // a probability of 0 on the true class is clipped to 1e-7 instead of giving Infinity
    { case: 'clipped', y: [0, 1], p: [1, 1], want: (-Math.log(1e-7) - Math.log(1 - 1e-7)) / 2 },
  ])('$case', ({ y, p, want }) => {
    expect(classificationMetrics(Int32Array.from(y), binary(p), ['neg', 'pos']).logLoss).toBeCloseTo(want, 6);
  });
});

describe('zero division and absent classes', () => {
  test('a never-predicted class has precision 0', () => {
    // every row predicted 'a'
    const m = classificationMetrics(Int32Array.from([0, 1, 2]), rows([0.5, 0.3, 0.2], [0.5, 0.3, 0.2], [0.5, 0.3, 0.2]), ['a', 'b', 'c']);
    expect(m.perClass.map((c) => [c.precision, c.recall, c.f1])).toEqual([
      [close(1 / 3), 1, close(0.5)],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(m.precisionMacro).toBeCloseTo(1 / 9, 6);
    expect(m.accuracy).toBeCloseTo(1 / 3, 6);
  });

  test('a class neither in the truth nor predicted is left out of the macro averages', () => {
    const m = classificationMetrics(Int32Array.from([0, 1]), rows([0.8, 0.1, 0.1], [0.1, 0.8, 0.1]), ['a', 'b', 'c']);
    expect([m.precisionMacro, m.recallMacro, m.f1Macro]).toEqual([1, 1, 1]);
  });

  test('weighted averages weigh classes by support', () => {
    // 3 × a all right; 1 × b predicted a → precision a 3/4, recall a 1, b 0/0 → 0
    const m = classificationMetrics(Int32Array.from([0, 0, 0, 1]), binary([0.1, 0.2, 0.3, 0.4]), ['a', 'b']);
    expect(m.precisionWeighted).toBeCloseTo((3 / 4) * (3 / 4), 6);
    expect(m.recallWeighted).toBeCloseTo(3 / 4, 6);
    expect(m.f1Weighted).toBeCloseTo((3 / 4) * (6 / 7), 6);
  });
});

describe('top-k', () => {
  test.each([
    { classes: 2, topK: undefined, want: undefined },
    { classes: 3, topK: undefined, want: 2 },
    { classes: 10, topK: undefined, want: 5 },
    { classes: 10, topK: 3, want: 3 },
    { classes: 3, topK: 1, want: 1 },
  ])('$classes classes, top-k $topK → $want', ({ classes, topK, want }) => {
    expect(resolveTopK(classes, topK)).toBe(want);
  });

  test.each([0, 3, 2.5])('top-k %s of 3 classes is rejected with the valid range', (topK) => {
    expect(() => resolveTopK(3, topK)).toThrow(ConfigurationError);
    expect(() => resolveTopK(3, topK)).toThrow(`Input 'top-k': top-k must be a whole number from 1 to 2 (there are 3 classes), not ${topK}`);
  });

  test('top-1 equals accuracy, ties broken as in argmax', () => {
    const probs = rows([0.4, 0.4, 0.2], [0.4, 0.4, 0.2], [0.1, 0.2, 0.7]);
    const m = classificationMetrics(Int32Array.from([0, 1, 1]), probs, ['a', 'b', 'c'], { topK: 1 });
    expect(m.topKAccuracy).toBeCloseTo(1 / 3, 6);
    expect(m.accuracy).toBeCloseTo(1 / 3, 6);
  });
});

describe('regressionMetrics', () => {
  test.each([
    // errors .5 0 −1 1; mean 2.5, SStot 5, SSres 2.25
    { y: [1, 2, 3, 4], p: [1.5, 2, 2, 5], want: { mse: 0.5625, rmse: 0.75, mae: 0.625, r2: 0.55 } },
    { y: [1, 2, 3], p: [1, 2, 3], want: { mse: 0, rmse: 0, mae: 0, r2: 1 } },
    { y: [1, 2, 3], p: [2, 2, 2], want: { mse: 2 / 3, rmse: Math.sqrt(2 / 3), mae: 2 / 3, r2: 0 } },
    { y: [2, 2], p: [2, 2], want: { mse: 0, rmse: 0, mae: 0, r2: 1 } },
    { y: [2, 2], p: [2, 3], want: { mse: 0.5, rmse: Math.sqrt(0.5), mae: 0.5, r2: 0 } },
  ])('$y vs $p', ({ y, p, want }) => {
    const m = regressionMetrics(Float32Array.from(y), Float32Array.from(p));
    expect(m).toEqual({ task: 'regression', rows: y.length, mse: close(want.mse), rmse: close(want.rmse), mae: close(want.mae), r2: close(want.r2) });
    expect(flattenMetrics(m)).toEqual({ mse: m.mse, rmse: m.rmse, mae: m.mae, r2: m.r2 });
  });

  test('the headline of a resample counts repeated rows', () => {
    const y = Float32Array.from([1, 2, 3, 4]);
    const p = Float32Array.from([1.5, 2, 2, 5]);
    // rows 0, 0, 2 ≡ y [1, 1, 3], p [1.5, 1.5, 2]
    const got = regressionHeadline(y, p, Int32Array.from([0, 0, 2]));
    expect(got).toEqual(flattenMetrics(regressionMetrics(Float32Array.from([1, 1, 3]), Float32Array.from([1.5, 1.5, 2]))));
  });
});

describe('metricDirection', () => {
  test.each([
    ['accuracy', 'higher'],
    ['f1_macro', 'higher'],
    ['top_k_accuracy', 'higher'],
    ['roc_auc', 'higher'],
    ['recall[T-shirt/top]', 'higher'],
    ['r2', 'higher'],
    ['log_loss', 'lower'],
    ['mse', 'lower'],
    ['rmse', 'lower'],
    ['mae', 'lower'],
  ])('%s → %s', (name, want) => {
    expect(metricDirection(name)).toBe(want);
  });

  test('an unknown metric is a bug, not a guess', () => {
    expect(() => metricDirection('speed')).toThrow("unknown metric 'speed'");
  });
});

/** n rows, k classes: a noisy model that is right about 80% of the time. */
function synthetic(n: number, k: number, seed: number) {
  const random = createRandom(seed);
  const yTrue = new Int32Array(n);
  const probs = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    yTrue[i] = Math.floor(random() * k);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += probs[i * k + c] = random() + (c === yTrue[i] ? 1.5 * random() : 0);
    for (let c = 0; c < k; c++) probs[i * k + c] /= sum;
  }
  return { yTrue, probs, classes: Array.from({ length: k }, (_, c) => `class ${c}`) };
}

describe('classificationHeadline', () => {
  const data = synthetic(500, 4, 3);

  test('over every row once equals flattenMetrics(classificationMetrics)', () => {
    const all = Int32Array.from({ length: 500 }, (_, i) => i);
    const got = classificationHeadline(data.yTrue, data.probs, 4, all, { classes: data.classes });
    const want = flattenMetrics(classificationMetrics(data.yTrue, data.probs, data.classes));
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const [name, value] of Object.entries(want)) expect(got[name], name).toBeCloseTo(value, 9);
  });

  test('a resample with repeats equals the metrics of the repeated rows', () => {
    const indices = Int32Array.from([3, 3, 3, 10, 42, 42, 7, 100, 250, 499]);
    const yTrue = Int32Array.from(indices, (i) => data.yTrue[i]);
    const probs = Float32Array.from([...indices].flatMap((i) => Array.from(data.probs.subarray(i * 4, i * 4 + 4))));
    const got = classificationHeadline(data.yTrue, data.probs, 4, indices);
    const want = flattenMetrics(classificationMetrics(yTrue, probs, data.classes));
    for (const [name, value] of Object.entries(got)) expect(value, name).toBeCloseTo(want[name], 9);
    expect(Object.keys(got)).not.toContain('recall[class 0]');
  });
});

describe('bootstrapIntervals', () => {
  const data = synthetic(2000, 5, 11);
  const statistic = (indices: Int32Array) => classificationHeadline(data.yTrue, data.probs, 5, indices);
  const point = flattenMetrics(classificationMetrics(data.yTrue, data.probs, data.classes));

  test('is deterministic for a seed and changes with it', () => {
    const a = bootstrapIntervals(2000, statistic, { seed: 1, resamples: 50 });
    expect(bootstrapIntervals(2000, statistic, { seed: 1, resamples: 50 })).toEqual(a);
    expect(bootstrapIntervals(2000, statistic, { seed: 2, resamples: 50 })).not.toEqual(a);
  });

  test('intervals are ordered, narrow and contain the point estimate', () => {
    const intervals = bootstrapIntervals(2000, statistic, { seed: 5 });
    expect(Object.keys(intervals).sort()).toEqual(Object.keys(point).filter((n) => !n.includes('[')).sort());
    for (const [name, [low, high]] of Object.entries(intervals)) {
      expect(low, name).toBeLessThanOrEqual(point[name]);
      expect(high, name).toBeGreaterThanOrEqual(point[name]);
      expect(high - low, name).toBeLessThan(0.15);
      expect(high - low, name).toBeGreaterThan(0);
    }
  });

  test('takes linearly interpolated percentiles of the resampled values', () => {
    let r = 0;
    const counter = () => ({ r: r++, constant: 7, undefinedSometimes: r % 2 === 0 ? NaN : 1, never: NaN });
    // 200 values 0 … 199; 5% and 95% quantiles at positions 9.95 and 189.05
    expect(bootstrapIntervals(10, counter, { seed: 1, confidence: 0.9 })).toEqual({
      r: [close(9.95), close(189.05)],
      constant: [7, 7],
      undefinedSometimes: [1, 1],
      never: [NaN, NaN],
    });
  });

  test.each([
    [0, {}, 'n must be a positive integer'],
    [10, { resamples: 0 }, 'resamples must be a positive integer'],
    [10, { confidence: 95 }, 'confidence must be between 0 and 1'],
  ])('n %s %o is rejected', (n, options, message) => {
    expect(() => bootstrapIntervals(n, () => ({}), { seed: 1, ...options })).toThrow(message);
  });
});
