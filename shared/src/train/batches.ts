import type { SplitData } from '../data/splits.js';
import { createRandom, shuffleInPlace } from '../data/random.js';
import type { Tensor, Tf } from './tf.js';

/** How labels are fed to the loss. */
export type LabelEncoding = 'one-hot' | 'sparse' | 'target';

/** The row order of one epoch: a seeded permutation, the same for the same seed and epoch. */
export function epochOrder(rows: number, seed: number, epoch: number | null): Int32Array {
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  if (epoch !== null) shuffleInPlace(order, createRandom((seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0));
  return order;
}

/** Builds the tensors of one batch from rows of a split (inside tf.tidy by the caller). */
export function batchTensors(tf: Tf, split: SplitData, rows: Int32Array, encoding: LabelEncoding, classes: number): { xs: Tensor; ys: Tensor } {
  const n = rows.length;
  const x = new Float32Array(n * split.width);
  for (let i = 0; i < n; i++) x.set(split.features.subarray(rows[i] * split.width, (rows[i] + 1) * split.width), i * split.width);
  const labels = new Float32Array(n);
  for (let i = 0; i < n; i++) labels[i] = split.labels[rows[i]];
  const xs = tf.tensor(x, [n, ...split.shape], 'float32');
  const ys =
    encoding === 'one-hot'
      ? tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), classes), 'float32')
      : tf.tensor2d(labels, [n, 1]);
  return { xs, ys };
}

/**
 * A tf.data dataset streaming whole batches from a split: each epoch's order is read when
 * the epoch's iterator starts (`epoch()`), so shuffling is seeded and resumable. Only one
 * batch of tensors exists at a time.
 */
export function batchDataset(tf: Tf, split: SplitData, options: { batchSize: number; encoding: LabelEncoding; classes: number; seed: number; epoch: () => number | null }) {
  return tf.data.generator(function* () {
    const order = epochOrder(split.rows, options.seed, options.epoch());
    for (let start = 0; start < split.rows; start += options.batchSize) {
      const rows = order.subarray(start, Math.min(split.rows, start + options.batchSize));
      yield tf.tidy(() => batchTensors(tf, split, rows, options.encoding, options.classes)) as unknown as Tensor;
    }
  });
}
