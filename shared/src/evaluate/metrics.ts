import { ConfigurationError } from '../errors.js';
import { createRandom } from '../data/random.js';

/** Lower bound (and 1 − upper bound) a predicted probability is clipped to before taking its log. */
export const LOG_LOSS_EPSILON = 1e-7;

/** Metrics of one class, one-vs-rest. */
export interface ClassMetrics {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose true class is this one. */
  support: number;
  /** One-vs-rest ROC-AUC of this class's probability; NaN when the class is absent or is every row. */
  rocAuc: number;
}

/** Everything `classificationMetrics` measures. */
export interface ClassificationMetrics {
  task: 'classification';
  classes: string[];
  rows: number;
  accuracy: number;
  precisionMacro: number;
  recallMacro: number;
  f1Macro: number;
  precisionWeighted: number;
  recallWeighted: number;
  f1Weighted: number;
  logLoss: number;
  /** The k of `topKAccuracy`; absent with it (see `resolveTopK`). */
  topK?: number;
  topKAccuracy?: number;
  /** Binary: AUC of class 1. Multiclass: mean one-vs-rest AUC over the classes where it is defined. */
  rocAuc: number;
  perClass: ClassMetrics[];
  /** Counts; rows are the true class, columns the predicted class (argmax, first on ties). */
  confusion: number[][];
}

/** Everything `regressionMetrics` measures. */
export interface RegressionMetrics {
  task: 'regression';
  rows: number;
  mse: number;
  rmse: number;
  mae: number;
  r2: number;
}

export interface ClassificationOptions {
  /** k of the top-k accuracy; see `resolveTopK` for the default. */
  topK?: number;
}

export interface BootstrapOptions {
  /** How many resamples; 200 by default. */
  resamples?: number;
  /** Seed of the resampling, so the same data gives the same intervals on every runner. */
  seed: number;
  /** Coverage of the percentile interval; 0.95 by default. */
  confidence?: number;
}

/** Metrics a rule may name per class, as `recall[<class>]`. */
export const PER_CLASS_METRICS = ['precision', 'recall', 'f1', 'roc_auc'] as const;

const HIGHER_IS_BETTER = new Set([
  'accuracy',
  'precision_macro',
  'recall_macro',
  'f1_macro',
  'precision_weighted',
  'recall_weighted',
  'f1_weighted',
  'top_k_accuracy',
  'roc_auc',
  'precision',
  'recall',
  'f1',
  'r2',
]);
const LOWER_IS_BETTER = new Set(['log_loss', 'mse', 'rmse', 'mae']);

/** `recall[T-shirt/top]` → `{ base: 'recall', className: 'T-shirt/top' }`; `accuracy` → `{ base: 'accuracy' }`. */
export function splitMetricName(name: string): { base: string; className?: string } {
  const open = name.indexOf('[');
  if (open > 0 && name.endsWith(']')) return { base: name.slice(0, open), className: name.slice(open + 1, -1) };
  return { base: name };
}

/** Whether a larger value of the metric is an improvement. Per-class names follow their base metric. */
export function metricDirection(name: string): 'higher' | 'lower' {
  const { base } = splitMetricName(name);
  if (HIGHER_IS_BETTER.has(base)) return 'higher';
  if (LOWER_IS_BETTER.has(base)) return 'lower';
  throw new Error(`metricDirection: unknown metric '${name}'`);
}

/**
 * The k of top-k accuracy, or undefined when it is not reported.
 * Default: min(5, classes − 1), reported only from 3 classes up (top-1 is accuracy and
 * top-k over k ≥ classes is always 1). An explicit k must be 1 … classes − 1.
 */
export function resolveTopK(numClasses: number, topK?: number): number | undefined {
  if (topK === undefined) {
    const k = Math.min(5, numClasses - 1);
    return k >= 2 ? k : undefined;
  }
  if (!Number.isInteger(topK) || topK < 1 || topK >= numClasses) {
    throw new ConfigurationError(
      `top-k must be a whole number from 1 to ${numClasses - 1} (there are ${numClasses} classes), not ${topK}`,
      { input: 'top-k' },
    );
  }
  return topK;
}

/**
 * Classification metrics of predicted probabilities against the true class ids.
 * Macro averages run over the classes that occur in the truth or the predictions (as scikit-learn
 * does without `labels`); a never-predicted class has precision 0 (zero_division=0).
 * Log loss clips the true class's probability to [1e-7, 1 − 1e-7] and does not renormalise rows.
 */
export function classificationMetrics(
  yTrue: Int32Array,
  probs: Float32Array,
  classes: string[],
  options: ClassificationOptions = {},
): ClassificationMetrics {
  const k = classes.length;
  const topK = resolveTopK(k, options.topK);
  const stats = computeClassification(yTrue, probs, k, null, topK);
  const perClass: ClassMetrics[] = classes.map((name, c) => ({
    name,
    precision: stats.precision[c],
    recall: stats.recall[c],
    f1: stats.f1[c],
    support: stats.support[c],
    rocAuc: stats.auc[c],
  }));
  const confusion = Array.from({ length: k }, (_, t) => Array.from(stats.confusion.subarray(t * k, (t + 1) * k)));
  return {
    task: 'classification',
    classes: [...classes],
    rows: yTrue.length,
    accuracy: stats.accuracy,
    precisionMacro: stats.precisionMacro,
    recallMacro: stats.recallMacro,
    f1Macro: stats.f1Macro,
    precisionWeighted: stats.precisionWeighted,
    recallWeighted: stats.recallWeighted,
    f1Weighted: stats.f1Weighted,
    logLoss: stats.logLoss,
    ...(topK === undefined ? {} : { topK, topKAccuracy: stats.topKAccuracy }),
    rocAuc: stats.rocAuc,
    perClass,
    confusion,
  };
}

/**
 * The flat, snake_case headline metrics of the rows at `indices` (repeats count, as in a bootstrap
 * resample): the same names and values `flattenMetrics(classificationMetrics(...))` gives, without
 * per-class objects. Per-class entries are included only when `classes` is given.
 * The inputs are validated and the per-class score orderings computed once per (yTrue, probs) pair
 * and cached, so a resample costs O(rows × classes); do not mutate the arrays between calls.
 */
export function classificationHeadline(
  yTrue: Int32Array,
  probs: Float32Array,
  numClasses: number,
  indices: Int32Array,
  options: ClassificationOptions & { classes?: readonly string[] } = {},
): Record<string, number> {
  const weights = new Int32Array(yTrue.length);
  for (let i = 0; i < indices.length; i++) weights[indices[i]]++;
  const topK = resolveTopK(numClasses, options.topK);
  const s = computeClassification(yTrue, probs, numClasses, weights, topK);
  const out: Record<string, number> = {
    accuracy: s.accuracy,
    precision_macro: s.precisionMacro,
    recall_macro: s.recallMacro,
    f1_macro: s.f1Macro,
    precision_weighted: s.precisionWeighted,
    recall_weighted: s.recallWeighted,
    f1_weighted: s.f1Weighted,
    log_loss: s.logLoss,
  };
  if (topK !== undefined) out.top_k_accuracy = s.topKAccuracy;
  out.roc_auc = s.rocAuc;
  if (options.classes) {
    options.classes.forEach((name, c) => {
      out[`precision[${name}]`] = s.precision[c];
      out[`recall[${name}]`] = s.recall[c];
      out[`f1[${name}]`] = s.f1[c];
      out[`roc_auc[${name}]`] = s.auc[c];
    });
  }
  return out;
}

/** Mean squared error, its root, mean absolute error and R² (1 for a perfect fit of a constant target, else 0 there). */
export function regressionMetrics(yTrue: Float32Array, yPred: Float32Array): RegressionMetrics {
  const s = computeRegression(yTrue, yPred, null);
  return { task: 'regression', rows: yTrue.length, ...s };
}

/** `regressionMetrics` of the rows at `indices` (repeats count), flat, for a bootstrap resample. */
export function regressionHeadline(yTrue: Float32Array, yPred: Float32Array, indices: Int32Array): Record<string, number> {
  const weights = new Int32Array(yTrue.length);
  for (let i = 0; i < indices.length; i++) weights[indices[i]]++;
  return { ...computeRegression(yTrue, yPred, weights) };
}

/** The snake_case metric names rules refer to (see the module's naming), with their values. */
export function flattenMetrics(result: ClassificationMetrics | RegressionMetrics): Record<string, number> {
  if (result.task === 'regression') return { mse: result.mse, rmse: result.rmse, mae: result.mae, r2: result.r2 };
  const out: Record<string, number> = {
    accuracy: result.accuracy,
    precision_macro: result.precisionMacro,
    recall_macro: result.recallMacro,
    f1_macro: result.f1Macro,
    precision_weighted: result.precisionWeighted,
    recall_weighted: result.recallWeighted,
    f1_weighted: result.f1Weighted,
    log_loss: result.logLoss,
  };
  if (result.topKAccuracy !== undefined) out.top_k_accuracy = result.topKAccuracy;
  out.roc_auc = result.rocAuc;
  for (const c of result.perClass) {
    out[`precision[${c.name}]`] = c.precision;
    out[`recall[${c.name}]`] = c.recall;
    out[`f1[${c.name}]`] = c.f1;
    out[`roc_auc[${c.name}]`] = c.rocAuc;
  }
  return out;
}

/**
 * Percentile bootstrap intervals: draws `resamples` sets of n row indices with replacement (seeded),
 * evaluates `statistic` on each and returns, per statistic name, the (1 − confidence)/2 and
 * (1 + confidence)/2 quantiles (linear interpolation). Non-finite values of a resample are skipped;
 * a name with no finite value gets [NaN, NaN].
 */
export function bootstrapIntervals(
  n: number,
  statistic: (indices: Int32Array) => Record<string, number>,
  options: BootstrapOptions,
): Record<string, [number, number]> {
  const resamples = options.resamples ?? 200;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`bootstrapIntervals: n must be a positive integer, not ${n}`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`bootstrapIntervals: resamples must be a positive integer, not ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`bootstrapIntervals: confidence must be between 0 and 1, not ${confidence}`);
  const random = createRandom(options.seed);
  const indices = new Int32Array(n);
  const values = new Map<string, number[]>();
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) indices[i] = Math.floor(random() * n);
    for (const [name, value] of Object.entries(statistic(indices))) {
      let list = values.get(name);
      if (!list) values.set(name, (list = []));
      if (Number.isFinite(value)) list.push(value);
    }
  }
  const alpha = (1 - confidence) / 2;
  const out: Record<string, [number, number]> = {};
  for (const [name, list] of values) {
    const sorted = Float64Array.from(list).sort();
    out[name] = [quantile(sorted, alpha), quantile(sorted, 1 - alpha)];
  }
  return out;
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const position = q * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo);
}

interface ClassificationStats {
  accuracy: number;
  precisionMacro: number;
  recallMacro: number;
  f1Macro: number;
  precisionWeighted: number;
  recallWeighted: number;
  f1Weighted: number;
  logLoss: number;
  topKAccuracy: number;
  rocAuc: number;
  precision: Float64Array;
  recall: Float64Array;
  f1: Float64Array;
  support: Float64Array;
  auc: Float64Array;
  confusion: Float64Array;
}

/**
 * Per class: the rows in ascending score order, where each tie group starts and which rows are of
 * the class. Computed once per (yTrue, probs) pair and cached, so bootstrap resamples only walk them.
 */
interface ScoreOrder {
  rows: Int32Array;
  /** 1 where a new score (tie group) starts. */
  groupStart: Uint8Array;
  /** 1 where the row's true class is this one. */
  positive: Uint8Array;
}

const orderCache = new WeakMap<Float32Array, { yTrue: Int32Array; k: number; orders: ScoreOrder[] }>();

function scoreOrders(yTrue: Int32Array, probs: Float32Array, k: number): ScoreOrder[] {
  const cached = orderCache.get(probs);
  if (cached && cached.yTrue === yTrue && cached.k === k) return cached.orders;
  checkClassification(yTrue, probs, k);
  const n = yTrue.length;
  const orders: ScoreOrder[] = [];
  const column = new Float64Array(n);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) column[i] = probs[i * k + c];
    const rows = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => column[a] - column[b]);
    const groupStart = new Uint8Array(n);
    const positive = new Uint8Array(n);
    for (let j = 0; j < n; j++) {
      groupStart[j] = j === 0 || column[rows[j]] !== column[rows[j - 1]] ? 1 : 0;
      positive[j] = yTrue[rows[j]] === c ? 1 : 0;
    }
    orders.push({ rows, groupStart, positive });
  }
  orderCache.set(probs, { yTrue, k, orders });
  return orders;
}

function checkClassification(yTrue: Int32Array, probs: Float32Array, k: number): void {
  const n = yTrue.length;
  if (k < 2) throw new RangeError(`classification metrics need at least 2 classes, got ${k}`);
  if (n === 0) throw new RangeError('classification metrics need at least one row');
  if (probs.length !== n * k) throw new RangeError(`probabilities hold ${probs.length} values, expected ${n} rows × ${k} classes = ${n * k}`);
  for (let i = 0; i < n; i++) {
    if (!(yTrue[i] >= 0 && yTrue[i] < k)) throw new RangeError(`row ${i} has class id ${yTrue[i]}, expected 0 … ${k - 1}`);
  }
  for (let i = 0; i < probs.length; i++) {
    if (!Number.isFinite(probs[i])) throw new RangeError(`row ${Math.floor(i / k)} has a non-finite probability (${probs[i]})`);
  }
}

/** One pass over the rows, each counted `weights[i]` times (1 each when null). */
function computeClassification(
  yTrue: Int32Array,
  probs: Float32Array,
  k: number,
  weights: Int32Array | null,
  topK: number | undefined,
): ClassificationStats {
  // Validates the inputs on first sight of them.
  const orders = scoreOrders(yTrue, probs, k);
  const n = yTrue.length;
  const confusion = new Float64Array(k * k);
  let total = 0;
  let lossSum = 0;
  let topKHits = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    if (w === 0) continue;
    const t = yTrue[i];
    const row = i * k;
    let predicted = 0;
    for (let c = 1; c < k; c++) if (probs[row + c] > probs[row + predicted]) predicted = c;
    confusion[t * k + predicted] += w;
    total += w;
    const p = Math.min(Math.max(probs[row + t], LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON);
    lossSum -= w * Math.log(p);
    if (topK !== undefined) {
      // The true class's rank, ties broken by class id as in argmax, so top-1 equals accuracy.
      const pt = probs[row + t];
      let rank = 0;
      for (let c = 0; c < k; c++) if (probs[row + c] > pt || (probs[row + c] === pt && c < t)) rank++;
      if (rank < topK) topKHits += w;
    }
  }
  if (total === 0) throw new RangeError('classification metrics need at least one row');

  const precision = new Float64Array(k);
  const recall = new Float64Array(k);
  const f1 = new Float64Array(k);
  const support = new Float64Array(k);
  const predictedCount = new Float64Array(k);
  let correct = 0;
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      support[t] += confusion[t * k + p];
      predictedCount[p] += confusion[t * k + p];
    }
    correct += confusion[t * k + t];
  }
  let present = 0;
  let pMacro = 0;
  let rMacro = 0;
  let fMacro = 0;
  let pWeighted = 0;
  let rWeighted = 0;
  let fWeighted = 0;
  for (let c = 0; c < k; c++) {
    const tp = confusion[c * k + c];
    precision[c] = predictedCount[c] > 0 ? tp / predictedCount[c] : 0;
    recall[c] = support[c] > 0 ? tp / support[c] : 0;
    f1[c] = precision[c] + recall[c] > 0 ? (2 * precision[c] * recall[c]) / (precision[c] + recall[c]) : 0;
    if (support[c] > 0 || predictedCount[c] > 0) {
      present++;
      pMacro += precision[c];
      rMacro += recall[c];
      fMacro += f1[c];
    }
    pWeighted += (precision[c] * support[c]) / total;
    rWeighted += (recall[c] * support[c]) / total;
    fWeighted += (f1[c] * support[c]) / total;
  }

  const auc = new Float64Array(k);
  let aucSum = 0;
  let aucCount = 0;
  for (let c = 0; c < k; c++) {
    auc[c] = weightedAuc(orders[c], weights);
    if (!Number.isNaN(auc[c])) {
      aucSum += auc[c];
      aucCount++;
    }
  }
  const rocAuc = k === 2 ? auc[1] : aucCount > 0 ? aucSum / aucCount : NaN;

  return {
    accuracy: correct / total,
    precisionMacro: pMacro / present,
    recallMacro: rMacro / present,
    f1Macro: fMacro / present,
    precisionWeighted: pWeighted,
    recallWeighted: rWeighted,
    f1Weighted: fWeighted,
    logLoss: lossSum / total,
    topKAccuracy: topKHits / total,
    rocAuc,
    precision,
    recall,
    f1,
    support,
    auc,
    confusion,
  };
}

/**
 * Mann–Whitney AUC of class c against the rest: the share of (positive, negative) pairs where the
 * positive scores higher, a tie counting one half — the rank-sum formula with mid-ranks for ties.
 * Walks rows in ascending score order, one tie group at a time, so it is linear per call.
 */
function weightedAuc(order: ScoreOrder, weights: Int32Array | null): number {
  const { rows, groupStart, positive } = order;
  const n = rows.length;
  let negativesBelow = 0;
  let positives = 0;
  let pairs = 0;
  let pos = 0;
  let neg = 0;
  for (let j = 0; j < n; j++) {
    if (groupStart[j] === 1) {
      pairs += pos * negativesBelow + 0.5 * pos * neg;
      negativesBelow += neg;
      positives += pos;
      pos = 0;
      neg = 0;
    }
    const w = weights ? weights[rows[j]] : 1;
    if (positive[j] === 1) pos += w;
    else neg += w;
  }
  pairs += pos * negativesBelow + 0.5 * pos * neg;
  negativesBelow += neg;
  positives += pos;
  return positives > 0 && negativesBelow > 0 ? pairs / (positives * negativesBelow) : NaN;
}

function computeRegression(
  yTrue: Float32Array,
  yPred: Float32Array,
  weights: Int32Array | null,
): { mse: number; rmse: number; mae: number; r2: number } {
  const n = yTrue.length;
  if (n === 0) throw new RangeError('regression metrics need at least one row');
  if (yPred.length !== n) throw new RangeError(`${yPred.length} predictions for ${n} rows`);
  let total = 0;
  let sum = 0;
  let squared = 0;
  let absolute = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    if (w === 0) continue;
    const e = yPred[i] - yTrue[i];
    if (!Number.isFinite(e)) throw new RangeError(`row ${i} has a non-finite value (true ${yTrue[i]}, predicted ${yPred[i]})`);
    total += w;
    sum += w * yTrue[i];
    squared += w * e * e;
    absolute += w * Math.abs(e);
  }
  if (total === 0) throw new RangeError('regression metrics need at least one row');
  const mean = sum / total;
  let spread = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    if (w !== 0) spread += w * (yTrue[i] - mean) ** 2;
  }
  const mse = squared / total;
  // A constant target has no variance to explain: R² is 1 for a perfect fit and 0 otherwise (scikit-learn's force_finite).
  const r2 = spread > 0 ? 1 - squared / spread : squared === 0 ? 1 : 0;
  return { mse, rmse: Math.sqrt(mse), mae: absolute / total, r2 };
}
