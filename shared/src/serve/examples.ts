import type { Normalization } from '../artifact/schema.js';
import { createRandom } from '../data/random.js';

/**
 * Seeded raw examples in a model's input range (from its stored normalisation), for smoke
 * tests and load when no dataset is given.
 */
export function syntheticRows(normalization: Normalization | undefined, width: number, rows: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: rows * width }, (_, i) => {
    const f = i % width;
    if (normalization?.method === 'minmax') return normalization.min[f] + random() * (normalization.max[f] - normalization.min[f]);
    if (normalization?.method === 'zscore') return normalization.mean[f] + (random() * 2 - 1) * normalization.std[f];
    if (normalization?.method === 'scale') return random() * normalization.divisor;
    return random();
  });
}

/**
 * Served outputs against the model's own: the largest absolute difference, and how many rows
 * disagree (another class for a classifier, a difference over 1e-3 for a regressor).
 */
export function comparePredictions(served: ArrayLike<number>, expected: ArrayLike<number>, rows: number, units: number, classification: boolean): { maxAbsDiff: number; mismatches: number } {
  let maxAbsDiff = 0;
  let mismatches = 0;
  for (let r = 0; r < rows; r++) {
    let a = 0;
    let b = 0;
    let rowDiff = 0;
    for (let k = 0; k < units; k++) {
      const i = r * units + k;
      rowDiff = Math.max(rowDiff, Math.abs(served[i] - expected[i]));
      if (served[i] > served[r * units + a]) a = k;
      if (expected[i] > expected[r * units + b]) b = k;
    }
    maxAbsDiff = Math.max(maxAbsDiff, rowDiff);
    if (classification ? a !== b : rowDiff > 1e-3) mismatches++;
  }
  return { maxAbsDiff, mismatches };
}
