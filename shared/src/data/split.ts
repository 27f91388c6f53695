import { createRandom, shuffleInPlace } from './random.js';

export type SplitFractions = [train: number, validation: number, test: number];

export interface SplitIndices {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/**
 * Splits row indices 0..n-1 into train/validation/test by the fractions, seeded.
 * Stratified: each class is split on its own, so every split keeps the class balance.
 * Each split's order is shuffled too, so training batches mix the classes.
 */
export function splitIndices(n: number, fractions: SplitFractions, seed: number, strata?: Int32Array): SplitIndices {
  const random = createRandom(seed);
  const groups: number[][] = [];
  if (strata) {
    for (let i = 0; i < n; i++) (groups[strata[i]] ??= []).push(i);
  } else {
    groups.push(Array.from({ length: n }, (_, i) => i));
  }
  const train: number[] = [];
  const validation: number[] = [];
  const test: number[] = [];
  for (const group of groups) {
    if (!group) continue;
    shuffleInPlace(group, random);
    const nTest = Math.round(group.length * fractions[2]);
    const nVal = Math.round(group.length * fractions[1]);
    test.push(...group.slice(0, nTest));
    validation.push(...group.slice(nTest, nTest + nVal));
    train.push(...group.slice(nTest + nVal));
  }
  const finish = (xs: number[]) => {
    shuffleInPlace(xs, random);
    return Int32Array.from(xs);
  };
  return { train: finish(train), validation: finish(validation), test: finish(test) };
}
