import { ConfigurationError } from '../errors.js';
import type { Normalization } from '../artifact/schema.js';

export type NormalizeMethod = { method: 'none' } | { method: 'minmax' } | { method: 'zscore' } | { method: 'scale'; divisor: number };

/** Parses `none|minmax|zscore|scale:<divisor>`. */
export function parseNormalize(text: string): NormalizeMethod {
  const value = text.trim() || 'none';
  if (value === 'none' || value === 'minmax' || value === 'zscore') return { method: value };
  const m = /^scale:\s*(.+)$/.exec(value);
  if (m) {
    const divisor = Number(m[1]);
    if (Number.isFinite(divisor) && divisor > 0) return { method: 'scale', divisor };
    throw new ConfigurationError(`'${value}' needs a positive number after 'scale:', e.g. scale:255.`, { input: 'normalize' });
  }
  throw new ConfigurationError(`'${value}' is not a normalisation; valid: none, minmax, zscore, scale:<divisor> (e.g. scale:255).`, { input: 'normalize' });
}

/**
 * Fits the normalisation on the given rows only (the train split), so no statistic leaks
 * from validation or test data. Constant features get a unit range / unit deviation.
 */
export function fitNormalization(method: NormalizeMethod, features: Float32Array, width: number, rows: Int32Array): Normalization {
  if (method.method === 'none' || method.method === 'scale') return method;
  if (method.method === 'minmax') {
    const min = new Float64Array(width).fill(Infinity);
    const max = new Float64Array(width).fill(-Infinity);
    for (const r of rows) {
      const base = r * width;
      for (let f = 0; f < width; f++) {
        const v = features[base + f];
        if (v < min[f]) min[f] = v;
        if (v > max[f]) max[f] = v;
      }
    }
    return { method: 'minmax', min: Array.from(min, (v) => (Number.isFinite(v) ? v : 0)), max: Array.from(max, (v, f) => (Number.isFinite(v) && v > min[f] ? v : (Number.isFinite(min[f]) ? min[f] : 0) + 1)) };
  }
  const sum = new Float64Array(width);
  const sumSq = new Float64Array(width);
  for (const r of rows) {
    const base = r * width;
    for (let f = 0; f < width; f++) {
      const v = features[base + f];
      sum[f] += v;
      sumSq[f] += v * v;
    }
  }
  const n = Math.max(1, rows.length);
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(sumSq, (s, f) => {
    const variance = s / n - mean[f] * mean[f];
    return variance > 1e-12 ? Math.sqrt(variance) : 1;
  });
  return { method: 'zscore', mean, std };
}

/**
 * Applies a fitted normalisation to raw rows in place. The same function serves training,
 * evaluation and the model server, so they can never disagree.
 */
export function applyNormalization(norm: Normalization, features: Float32Array, width: number): Float32Array {
  switch (norm.method) {
    case 'none':
      return features;
    case 'scale': {
      const k = 1 / norm.divisor;
      for (let i = 0; i < features.length; i++) features[i] *= k;
      return features;
    }
    case 'minmax':
      for (let i = 0; i < features.length; i++) {
        const f = i % width;
        features[i] = (features[i] - norm.min[f]) / (norm.max[f] - norm.min[f]);
      }
      return features;
    case 'zscore':
      for (let i = 0; i < features.length; i++) {
        const f = i % width;
        features[i] = (features[i] - norm.mean[f]) / norm.std[f];
      }
      return features;
  }
}
