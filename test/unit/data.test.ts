import { describe, expect, test } from 'vitest';
import { encodeLabels } from '../../shared/src/data/labels.js';
import { applyNormalization, fitNormalization, parseNormalize } from '../../shared/src/data/normalize.js';
import { splitIndices } from '../../shared/src/data/split.js';
import { parseSplit } from '../../shared/src/stages/preprocess-data.js';
import { ConfigurationError } from '../../shared/src/errors.js';

describe('encodeLabels', () => {
  test.each([
    { labels: ['b', 'a', 'b', 'c'], task: 'auto', want: { task: 'classification', classes: ['a', 'b', 'c'], values: [1, 0, 1, 2] } },
    { labels: ['10', '2', '2', '1'], task: 'auto', want: { task: 'classification', classes: ['1', '2', '10'], values: [2, 1, 1, 0] } },
    { labels: ['1.5', '2.25', '3'], task: 'auto', want: { task: 'regression', values: [1.5, 2.25, 3] } },
    { labels: ['1', '2', '3'], task: 'regression', want: { task: 'regression', values: [1, 2, 3] } },
  ] as const)('$labels as $task', ({ labels, task, want }) => {
    const got = encodeLabels([...labels], task, 'y');
    expect(got.task).toBe(want.task);
    expect(Array.from(got.values)).toEqual(want.values);
    expect(got.classes).toEqual('classes' in want ? want.classes : undefined);
  });

  test('many distinct integers read as regression under auto', () => {
    expect(encodeLabels(Array.from({ length: 50 }, (_, i) => String(i)), 'auto', 'y').task).toBe('regression');
  });

  test('a single class is an error naming the column', () => {
    expect(() => encodeLabels(['cat', 'cat'], 'auto', 'animal')).toThrow(/column 'animal' has a single class \("cat"\)/);
  });

  test('class-names name integer ids', () => {
    expect(encodeLabels(['0', '1', '1'], 'auto', 'y', ['neg', 'pos']).classes).toEqual(['neg', 'pos']);
    expect(() => encodeLabels(['0', '2'], 'auto', 'y', ['a', 'b'])).toThrow(/class-names/);
  });
});

describe('splitIndices', () => {
  const strata = Int32Array.from({ length: 1000 }, (_, i) => (i < 900 ? 0 : 1));

  test('is a partition of every row, seeded', () => {
    const a = splitIndices(1000, [0.8, 0.1, 0.1], 7, strata);
    const all = [...a.train, ...a.validation, ...a.test].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(splitIndices(1000, [0.8, 0.1, 0.1], 7, strata)).toEqual(a);
    expect(splitIndices(1000, [0.8, 0.1, 0.1], 8, strata)).not.toEqual(a);
  });

  test('stratified keeps the class balance in every split', () => {
    const s = splitIndices(1000, [0.8, 0.1, 0.1], 1, strata);
    const minority = (xs: Int32Array) => xs.filter((i) => strata[i] === 1).length;
    expect([minority(s.train), minority(s.validation), minority(s.test)]).toEqual([80, 10, 10]);
  });
});

describe('normalisation', () => {
  const features = Float32Array.from([0, 10, 2, 10, 4, 10, 100, 10]); // 4 rows × 2
  const train = Int32Array.from([0, 1, 2]); // row 3 (100) is not train: must not leak

  test.each([
    ['minmax', { method: 'minmax', min: [0, 10], max: [4, 11] }],
    ['zscore', { method: 'zscore', mean: [2, 10], std: [Math.sqrt(8 / 3), 1] }],
    ['scale:4', { method: 'scale', divisor: 4 }],
    ['none', { method: 'none' }],
  ])('%s is fitted on train rows only', (text, want) => {
    const fitted = fitNormalization(parseNormalize(text), features, 2, train);
    expect(fitted.method).toBe(want.method);
    for (const [k, v] of Object.entries(want)) if (Array.isArray(v)) expect((fitted as never)[k]).toEqual(v.map((x: number) => expect.closeTo(x, 6)));
  });

  test('apply maps train range to [0,1]', () => {
    const fitted = fitNormalization({ method: 'minmax' }, features, 2, train);
    expect(Array.from(applyNormalization(fitted, Float32Array.from([4, 10]), 2))).toEqual([1, 0]);
  });

  test.each(['scale:0', 'scale:x', 'l2'])('%s is rejected with the valid choices', (text) => {
    expect(() => parseNormalize(text)).toThrow(ConfigurationError);
    expect(() => parseNormalize(text)).toThrow(/normalize/);
  });
});

describe('parseSplit', () => {
  test.each([
    ['0.8,0.1,0.1', [0.8, 0.1, 0.1]],
    ['0.7, 0.15, 0.15', [0.7, 0.15, 0.15]],
  ])('%s', (text, want) => expect(parseSplit(text)).toEqual(want));

  test.each([
    ['0.8,0.1', /three non-negative fractions/],
    ['0.8,0.3,0.1', /sums to 1\.2/],
    ['0,0.5,0.5', /nothing to train on/],
  ])('%s is an error', (text, message) => expect(() => parseSplit(text)).toThrow(message));
});
