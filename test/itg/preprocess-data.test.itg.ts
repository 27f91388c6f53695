import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';
import { readArtifact } from '../../shared/src/artifact/store.js';
import { readSplit } from '../../shared/src/data/splits.js';
import { repoRoot, requireComponent, runAction, runCli } from '../helpers/run-action.js';

const digitsCsv = join(repoRoot, 'examples/digits/digits.csv');
const fashionDir = '/usr/share/datasets/fashion-mnist';
const fashionClasses = 'T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlops-itg-pre-'));
});

describe('preprocess-data bundle on digits', () => {
  test('writes a valid Dataset and reports it through the runner protocol', async () => {
    const run = await runAction('preprocess-data', { source: digitsCsv, label: 'digit', normalize: 'scale:16', output: join(work, 'a') });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.dataset).toBe(join(work, 'a', 'digits'));
    expect(JSON.parse(run.outputs.rows)).toEqual({ train: 1439, validation: 179, test: 179 });
    expect(run.outputs['cache-hit']).toBe('false');

    const dataset = await readArtifact(run.outputs.dataset, { kind: 'Dataset' });
    expect(dataset.manifest.digest).toBe(run.outputs.digest);
    const spec = dataset.manifest.spec;
    expect(spec.task).toBe('classification');
    expect(spec.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(spec.features).toHaveLength(64);
    expect(spec.normalization).toEqual({ method: 'scale', divisor: 16 });
    expect(spec.quality).toEqual({ rowsRead: 1797, rowsKept: 1797, dropped: [] });
    expect(dataset.manifest.producer).toMatchObject({ action: 'preprocess-data', via: 'action' });
    // Stratified: every class in every split.
    for (const split of ['train', 'validation', 'test'] as const) expect(spec.splits[split].classCounts!.every((n) => n > 0)).toBe(true);
    // Stored raw; normalised on load.
    const test = await readSplit(dataset, 'test', { normalized: true });
    expect(test.features.length).toBe(179 * 64);
    expect(Math.max(...test.features)).toBeLessThanOrEqual(1);
    expect(Math.max(...(await readSplit(dataset, 'test', { normalized: false })).features)).toBe(16);

    expect(run.summary).toContain('### Dataset `digits`');
    expect(run.summary).toMatch(/\| train\s+\|\s+1439 \|/);
  });

  test('the same inputs give the same digest; another seed another one', async () => {
    const inputs = { source: digitsCsv, label: 'digit', normalize: 'zscore' };
    const a = await runAction('preprocess-data', { ...inputs, output: join(work, 'r1') });
    const b = await runAction('preprocess-data', { ...inputs, output: join(work, 'r2') }, { env: { GITHUB_SHA: 'f'.repeat(40), GITHUB_RUN_ID: '99' } });
    const c = await runAction('preprocess-data', { ...inputs, output: join(work, 'r3'), seed: 7 });
    expect(a.outputs.digest).toMatch(/^sha256:/);
    expect(b.outputs.digest).toBe(a.outputs.digest);
    expect(c.outputs.digest).not.toBe(a.outputs.digest);
    const manifest = JSON.parse(await readFile(join(b.outputs.dataset, 'artifact.json'), 'utf8'));
    expect(manifest.producer).toMatchObject({ sha: 'f'.repeat(40), runId: '99' });
  });

  test('a cached re-run restores instead of recomputing and reports cache-hit', async () => {
    const cacheDir = join(work, 'cache');
    const inputs = { source: digitsCsv, label: 'digit', output: join(work, 'cached'), cache: true };
    const first = await runAction('preprocess-data', inputs, { env: { MLOPS_CACHE_DIR: cacheDir } });
    const second = await runAction('preprocess-data', inputs, { env: { MLOPS_CACHE_DIR: cacheDir } });
    expect(first.outputs['cache-hit']).toBe('false');
    expect(second.outputs['cache-hit']).toBe('true');
    expect(second.outputs.digest).toBe(first.outputs.digest);
    expect(second.stdout).toMatch(/Cache hit for mlops-dataset-digits-/);
    expect(second.summary).toContain('(restored from cache)');
    // Changed options miss the cache.
    const third = await runAction('preprocess-data', { ...inputs, normalize: 'minmax' }, { env: { MLOPS_CACHE_DIR: cacheDir } });
    expect(third.outputs['cache-hit']).toBe('false');
  });

  test('gzip, TSV and JSON Lines sources give the same data as the CSV', async () => {
    const csv = await readFile(digitsCsv, 'utf8');
    const lines = csv.trimEnd().split('\n');
    const header = lines[0].split(',');
    await writeFile(join(work, 'digits.csv.gz'), gzipSync(csv));
    await writeFile(join(work, 'digits.tsv'), lines.map((l) => l.replaceAll(',', '\t')).join('\n'));
    await writeFile(
      join(work, 'digits.jsonl'),
      lines.slice(1).map((l) => JSON.stringify(Object.fromEntries(l.split(',').map((v, i) => [header[i], Number(v)])))).join('\n'),
    );
    const digests = [];
    for (const file of ['digits.csv.gz', 'digits.tsv', 'digits.jsonl']) {
      const run = await runAction('preprocess-data', { source: join(work, file), label: 'digit', output: join(work, 'fmt', file) });
      expect(run.errors).toEqual([]);
      const ds = await readArtifact(run.outputs.dataset, { kind: 'Dataset' });
      expect(ds.manifest.name).toBe('digits');
      digests.push(ds.manifest.files.map((f) => f.sha256).join());
    }
    expect(new Set(digests).size).toBe(1);
  });

  test('dirty rows are dropped and counted by reason; string labels become named classes', async () => {
    const rows = [
      'size,weight,species',
      '1,2,cat',
      '1,2,cat', // duplicate
      '3,,dog', // missing value
      '3,abc,dog', // non-numeric
      '5,6', // ragged
      '4,4,', // missing label
      '"7",8,dog',
      '9,10,"bird, small"',
    ];
    await writeFile(join(work, 'pets.csv'), rows.join('\n'));
    const run = await runAction('preprocess-data', { source: join(work, 'pets.csv'), label: 'species', split: '1,0,0', output: join(work, 'pets') });
    expect(run.errors).toEqual([]);
    const spec = (await readArtifact(run.outputs.dataset, { kind: 'Dataset' })).manifest.spec;
    expect(spec.classes).toEqual(['bird, small', 'cat', 'dog']);
    expect(spec.quality).toEqual({
      rowsRead: 8,
      rowsKept: 3,
      dropped: [
        { reason: 'missing-value', count: 1, firstLine: 4 },
        { reason: 'non-numeric', count: 1, firstLine: 5 },
        { reason: 'ragged-row', count: 1, firstLine: 6 },
        { reason: 'missing-label', count: 1, firstLine: 7 },
        { reason: 'duplicate', count: 1, firstLine: 3 },
      ],
    });
    expect(run.summary).toContain('dropped: non-numeric');
  });

  test('a regression target is stored as float32 and not stratified', async () => {
    const lines = ['x,y', ...Array.from({ length: 100 }, (_, i) => `${i},${(i * 0.37).toFixed(2)}`)];
    await writeFile(join(work, 'reg.csv'), lines.join('\n'));
    const run = await runAction('preprocess-data', { source: join(work, 'reg.csv'), label: 'y', output: join(work, 'reg') });
    const spec = (await readArtifact(run.outputs.dataset, { kind: 'Dataset' })).manifest.spec;
    expect(spec).toMatchObject({ task: 'regression', dtype: { labels: 'float32' }, split: { stratified: false } });
    expect(spec.classes).toBeUndefined();
  });
});

describe('preprocess-data bundle on Fashion-MNIST (IDX)', () => {
  const present = requireComponent(existsSync(fashionDir), `Fashion-MNIST at ${fashionDir}`, 'apt-get install dataset-fashion-mnist');

  test.runIf(present)('t10k is the test split, the rest is split train/validation, class names applied', async () => {
    const run = await runAction('preprocess-data', { source: fashionDir, normalize: 'scale:255', 'class-names': fashionClasses, output: join(work, 'fm') });
    expect(run.errors).toEqual([]);
    expect(JSON.parse(run.outputs.rows)).toEqual({ train: 53330, validation: 6670, test: 10000 });
    const ds = await readArtifact(run.outputs.dataset, { kind: 'Dataset' });
    const spec = ds.manifest.spec;
    expect(spec.featureShape).toEqual([28, 28]);
    expect(spec.classes?.[7]).toBe('Sneaker');
    expect(spec.split.testFromSource).toBe(true);
    expect(spec.splits.test.classCounts).toEqual(new Array(10).fill(1000));
    const again = await runAction('preprocess-data', { source: fashionDir, normalize: 'scale:255', 'class-names': fashionClasses, output: join(work, 'fm2') });
    expect(again.outputs.digest).toBe(run.outputs.digest);
  });
});

describe('bad input fails the step with a helpful message and leaves nothing behind', () => {
  const label1 = Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 3]);
  const cases: { what: string; file?: [string, string | Buffer][]; inputs: Record<string, string>; message: RegExp }[] = [
    { what: 'missing label column', inputs: { label: 'digits' }, message: /Input 'label': column 'digits' is not in 'digits.csv' \(did you mean 'digit'\?\)\. Columns that exist: px0, px1, .*, digit\./ },
    { what: 'no label at all', inputs: {}, message: /Input 'label': is required for csv sources.*Columns in 'digits.csv': px0/ },
    { what: 'ragged row when rejecting', file: [['ragged.csv', 'a,b,y\n1,2,x\n3,4\n']], inputs: { label: 'y', 'on-invalid': 'reject' }, message: /ragged.csv line 3: has 2 fields, but the header has 3/ },
    { what: 'non-numeric value when rejecting', file: [['nan.csv', 'a,b,y\n1,2,x\n1,two,z\n']], inputs: { label: 'y', 'on-invalid': 'reject' }, message: /nan.csv line 3: column 'b' holds "two", which is not a number/ },
    { what: 'empty file', file: [['empty.csv', '']], inputs: { label: 'y' }, message: /'empty.csv' is empty: expected a header row/ },
    { what: 'header only', file: [['head.csv', 'a,y\n']], inputs: { label: 'y' }, message: /'head.csv' has a header but no data rows/ },
    { what: 'unknown format', inputs: { label: 'digit', format: 'parquet' }, message: /Input 'format': 'parquet' is not one of auto, csv, tsv, jsonl, idx/ },
    { what: 'undetectable format', file: [['data.xlsx', 'a,y\n1,2\n']], inputs: { label: 'y' }, message: /Input 'format': cannot tell the format of 'data.xlsx'.*csv, tsv, jsonl, idx/ },
    { what: 'IDX file with a bad magic number', file: [
        ['idx/train-images-idx3-ubyte', Buffer.from([0, 0, 0x0d, 3, 0, 0, 0, 1])],
        ['idx/train-labels-idx1-ubyte', label1],
        ['idx/t10k-images-idx3-ubyte', Buffer.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 7])],
        ['idx/t10k-labels-idx1-ubyte', label1],
      ], inputs: { format: 'idx' }, message: /'train-images-idx3-ubyte' is not an IDX file of unsigned bytes: its magic number is 0x00000d03; expected 0x00000801 \(labels\) or 0x00000803/ },
    { what: 'IDX directory missing files', file: [['idx/train-images-idx3-ubyte.gz', 'x']], inputs: {}, message: /directory '.*idx' has no train-labels-idx1-ubyte\[\.gz\], t10k-images-idx3-ubyte\[\.gz\], t10k-labels-idx1-ubyte\[\.gz\]/ },
    { what: 'single-class label', file: [['one.csv', 'a,y\n1,cat\n2,cat\n3,cat\n']], inputs: { label: 'y' }, message: /column 'y' has a single class \("cat"\); classification needs at least two/ },
    { what: 'missing source', inputs: { source: '/no/such/file.csv', label: 'y' }, message: /Input 'source': '\/no\/such\/file.csv' does not exist/ },
    { what: 'bad split', inputs: { label: 'digit', split: '0.5,0.5,0.5' }, message: /Input 'split': '0.5,0.5,0.5' sums to 1.5/ },
    { what: 'bad boolean', inputs: { label: 'digit', cache: 'yes please' }, message: /Input 'cache': 'yes please' is not a boolean/ },
    { what: 'upload off a runner', inputs: { label: 'digit', upload: 'true' }, message: /upload: true needs the GitHub Actions runner/ },
  ];

  test.each(cases)('$what', async ({ file, inputs, message }) => {
    const dir = await mkdtemp(join(tmpdir(), 'mlops-bad-'));
    let source = digitsCsv;
    for (const [name, content] of file ?? []) {
      const path = join(dir, name);
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, content);
      source = name.includes('/') ? join(dir, name.split('/')[0]) : path;
    }
    const output = join(dir, 'out');
    const run = await runAction('preprocess-data', { source, output, ...inputs });
    expect(run.code).not.toBe(0);
    expect(run.errors.join('\n')).toMatch(message);
    expect(run.stdout).not.toMatch(/at .*\.js:\d+/); // a user error, not a stack trace
    expect(run.outputs.dataset).toBeUndefined();
    const left = existsSync(output) ? await readdir(output) : [];
    expect(left).toEqual([]);
  });
});

describe('mlops CLI', () => {
  test('preprocess-data prints the outputs as JSON through the same core', async () => {
    const run = await runCli(['preprocess-data', '--source', digitsCsv, '--label', 'digit', '--output', join(work, 'cli')]);
    expect(run.code).toBe(0);
    const outputs = JSON.parse(run.stdout);
    const action = await runAction('preprocess-data', { source: digitsCsv, label: 'digit', output: join(work, 'cli-action') });
    expect(outputs.digest).toBe(action.outputs.digest);
    expect(outputs.rows).toBe(action.outputs.rows);
    expect(JSON.parse(await readFile(join(outputs.dataset, 'artifact.json'), 'utf8')).producer.via).toBe('cli');
  });

  test('an unknown flag is an error that lists the valid ones', async () => {
    const run = await runCli(['preprocess-data', '--sorce', 'x']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/preprocess-data has no input '--sorce' \(did you mean 'source'\?\)\. Its inputs: --source, --format/);
    expect(run.stdout).toBe('');
  });

  test('an unknown stage names the stages', async () => {
    const run = await runCli(['preprocess']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/unknown stage 'preprocess'.*stages: preprocess-data/);
  });
});
