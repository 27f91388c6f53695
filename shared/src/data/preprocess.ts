import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { canonicalJson, sha256Hex } from '../artifact/digest.js';
import { describeProducer } from '../artifact/producer.js';
import type { Dataset, DatasetSpec, SplitName } from '../artifact/schema.js';
import { writeArtifact, type LoadedArtifact } from '../artifact/store.js';
import { restoreVerified } from '../cache/artifact-cache.js';
import { requireRunner, uploadWorkflowArtifact } from '../artifact/transfer.js';
import { ConfigurationError } from '../errors.js';
import type { StageContext } from '../runtime/stage.js';
import { readIdxDirectory } from './idx.js';
import { hashSource } from './source.js';
import { encodeLabels, type Task } from './labels.js';
import { fitNormalization, type NormalizeMethod } from './normalize.js';
import { splitIndices, type SplitFractions } from './split.js';
import { writeSplitFiles } from './splits.js';
import { readTabular, type InvalidRowPolicy } from './tabular.js';
import type { TableBuilder } from './table.js';

export const SOURCE_FORMATS = ['csv', 'tsv', 'jsonl', 'idx'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** Typed options of preprocess-data, after input parsing. */
export interface PreprocessOptions {
  source: string;
  format: SourceFormat | 'auto';
  label: string;
  features: string[];
  task: Task | 'auto';
  normalize: NormalizeMethod;
  split: SplitFractions;
  /** undefined: stratify classification, not regression. */
  stratify?: boolean;
  seed: number;
  /** '' derives the name from the source. */
  name: string;
  output: string;
  cache: boolean;
  upload: boolean;
  onInvalid: InvalidRowPolicy;
  classNames: string[];
}

export interface PreprocessResult {
  path: string;
  dataset: Dataset;
  rows: Record<SplitName, number>;
  cacheHit: boolean;
  uploaded?: string;
}

/** Bump when the stored layout changes, so old cache entries are not restored. */
const CACHE_LAYOUT = 1;

/** An artifact name from a file name: extensions dropped, other characters replaced. */
export function deriveName(source: string): string {
  let base = basename(resolve(source)).replace(/\.gz$/i, '');
  base = base.replace(/\.(csv|tsv|tab|txt|jsonl|ndjson|json)$/i, '');
  const cleaned = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128);
  return cleaned || 'dataset';
}

/** The format of a source from its shape and extension (auto), or a clear error. */
export async function detectFormat(source: string, format: SourceFormat | 'auto'): Promise<SourceFormat> {
  const info = await stat(source).catch(() => null);
  if (!info) throw new ConfigurationError(`'${source}' does not exist (working directory ${process.cwd()}).`, { input: 'source' });
  if (info.isDirectory()) {
    if (format !== 'auto' && format !== 'idx') {
      throw new ConfigurationError(`'${source}' is a directory; only format idx reads a directory (the four MNIST-layout files).`, { input: 'format' });
    }
    return 'idx';
  }
  if (format === 'idx') {
    throw new ConfigurationError(`'${source}' is a file; format idx reads a directory holding train-/t10k- images and labels files.`, { input: 'source' });
  }
  if (format !== 'auto') return format;
  const name = basename(source).toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.tsv') || name.endsWith('.tab')) return 'tsv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  throw new ConfigurationError(
    `cannot tell the format of '${basename(source)}' from its name; set format to one of ${SOURCE_FORMATS.join(', ')} (csv, tsv and jsonl may be gzipped).`,
    { input: 'format' },
  );
}

/**
 * preprocess-data's core: reads the source, cleans it, encodes labels, splits (seeded,
 * stratified), fits normalisation on train, and writes a Dataset artifact atomically;
 * restores it from the cache instead when the same source and options were seen before.
 */
export async function preprocessData(options: PreprocessOptions, context: StageContext): Promise<PreprocessResult> {
  const { logger } = context;
  if (options.upload) requireRunner(context.env, 'upload', 'upload: true');
  const format = await detectFormat(options.source, options.format);
  const name = options.name || deriveName(options.source);
  const target = resolve(options.output, name);

  const sourceHash = await hashSource(options.source);
  const cacheKey = `mlops-dataset-${name}-${sha256Hex(
    canonicalJson({
      layout: CACHE_LAYOUT,
      source: sourceHash.sha256,
      format,
      label: options.label,
      features: options.features,
      task: options.task,
      normalize: options.normalize,
      split: options.split,
      stratify: options.stratify ?? null,
      seed: options.seed,
      onInvalid: options.onInvalid,
      classNames: options.classNames,
      name,
    }),
  ).slice(0, 40)}`;

  if (options.cache) {
    const restored = await restoreVerified(context.cache, cacheKey, target, 'Dataset', logger, 'not recomputed');
    if (restored) return finish(restored, true);
  }

  const spec = await logger.group(`Read ${format} source ${options.source}`, async () => {
    const built = await buildDataset(options, format, sourceHash, logger);
    logger.info(`Read ${built.quality.rowsRead} rows, kept ${built.quality.rowsKept}.`);
    for (const d of built.quality.dropped) logger.info(`Dropped ${d.count} rows: ${d.reason}${d.firstLine ? ` (first at line ${d.firstLine})` : ''}.`);
    return built;
  });
  const manifest = await logger.group(`Write Dataset '${name}'`, async () => {
    const written = await writeArtifact(
      target,
      { kind: 'Dataset', name, inputs: [], producer: describeProducer('preprocess-data', context.via, context.env) },
      async (dir) => spec.write(dir),
    );
    logger.info(`Wrote ${target} (${written.digest}).`);
    return written;
  });
  if (options.cache) await context.cache.save(cacheKey, target);
  return finish({ dir: target, manifest, file: (p) => join(target, p) }, false);

  async function finish(loaded: LoadedArtifact<'Dataset'>, cacheHit: boolean): Promise<PreprocessResult> {
    const splits = loaded.manifest.spec.splits;
    const result: PreprocessResult = {
      path: loaded.dir,
      dataset: loaded.manifest,
      rows: { train: splits.train.rows, validation: splits.validation.rows, test: splits.test.rows },
      cacheHit,
    };
    if (options.upload) result.uploaded = await uploadWorkflowArtifact(loaded, { logger, env: context.env });
    return result;
  }
}

interface BuiltDataset {
  quality: DatasetSpec['quality'];
  write(dir: string): Promise<DatasetSpec>;
}

async function buildDataset(
  options: PreprocessOptions,
  format: SourceFormat,
  sourceHash: { sha256: string; bytes: number },
  logger: StageContext['logger'],
): Promise<BuiltDataset> {
  let table: TableBuilder;
  let featureNames: string[];
  let shape: number[];
  let testTable: TableBuilder | undefined;
  let label = options.label;

  if (format === 'idx') {
    const idx = await readIdxDirectory(options.source);
    table = idx.train;
    testTable = idx.test;
    shape = idx.shape;
    featureNames = Array.from({ length: table.width }, (_, i) => `pixel_${i}`);
    label = label || 'label';
    if (options.features.length) logger.warning('features is ignored for idx sources: every pixel is a feature.');
  } else {
    const tabular = await readTabular({ path: options.source, format, label: options.label, features: options.features, onInvalid: options.onInvalid });
    table = tabular.table;
    featureNames = tabular.featureNames;
    shape = [featureNames.length];
  }
  const width = table.width;

  // Labels of the test rows (IDX) are encoded together with train's, so both share one class list.
  const allLabels = testTable ? [...table.labels, ...testTable.labels] : table.labels;
  const encoded = encodeLabels(allLabels, options.task, label, options.classNames.length ? options.classNames : undefined);
  const classification = encoded.task === 'classification';
  const stratified = options.stratify ?? classification;
  if (stratified && !classification) {
    throw new ConfigurationError('stratify needs class labels; this is a regression dataset. Leave stratify unset or false.', { input: 'stratify' });
  }
  const trainLabels = encoded.values.subarray(0, table.rows) as Int32Array | Float32Array;

  let fractions: SplitFractions = options.split;
  let indices;
  if (testTable) {
    // t10k is the test split; the rest is split into train and validation in the same ratio.
    const rest = options.split[0] + options.split[1];
    fractions = [options.split[0] / rest, options.split[1] / rest, 0];
    indices = splitIndices(table.rows, fractions, options.seed, stratified ? (trainLabels as Int32Array) : undefined);
  } else {
    indices = splitIndices(table.rows, fractions, options.seed, stratified ? (trainLabels as Int32Array) : undefined);
  }
  if (indices.train.length === 0) {
    throw new ConfigurationError(`leaves no rows for training (${table.rows} rows); raise the train fraction or use more data.`, { input: 'split' });
  }
  const normalization = fitNormalization(options.normalize, table.features(), width, indices.train);
  const quality = testTable ? mergeQuality(table.quality(), testTable.quality()) : table.quality();

  return {
    quality,
    async write(dir) {
      const count = (labels: Int32Array | Float32Array, idx: Int32Array) => {
        if (!classification) return undefined;
        const counts = new Array<number>(encoded.classes!.length).fill(0);
        for (const i of idx) counts[labels[i]]++;
        return counts;
      };
      const splits = {} as DatasetSpec['splits'];
      for (const split of ['train', 'validation'] as const) {
        const files = await writeSplitFiles(dir, split, table.features(), width, trainLabels, indices[split]);
        splits[split] = withCounts({ rows: indices[split].length, ...files }, count(trainLabels, indices[split]));
      }
      if (testTable) {
        const testLabels = encoded.values.subarray(table.rows) as Int32Array | Float32Array;
        const all = Int32Array.from({ length: testTable.rows }, (_, i) => i);
        const files = await writeSplitFiles(dir, 'test', testTable.features(), width, testLabels, all);
        splits.test = withCounts({ rows: testTable.rows, ...files }, count(testLabels, all));
      } else {
        const files = await writeSplitFiles(dir, 'test', table.features(), width, trainLabels, indices.test);
        splits.test = withCounts({ rows: indices.test.length, ...files }, count(trainLabels, indices.test));
      }
      const spec: DatasetSpec = {
        source: { file: basename(resolve(options.source)), format, sha256: sourceHash.sha256, bytes: sourceHash.bytes },
        task: encoded.task,
        label,
        features: featureNames,
        featureShape: shape,
        dtype: { features: 'float32', labels: classification ? 'int32' : 'float32' },
        normalization,
        split: { fractions: options.split, stratified, seed: options.seed, testFromSource: Boolean(testTable) },
        splits,
        quality,
      };
      if (classification) spec.classes = encoded.classes;
      return spec;
    },
  };
}

function withCounts<T extends object>(split: T, classCounts: number[] | undefined): T & { classCounts?: number[] } {
  return classCounts ? { ...split, classCounts } : split;
}

function mergeQuality(a: DatasetSpec['quality'], b: DatasetSpec['quality']): DatasetSpec['quality'] {
  const dropped = new Map<string, DatasetSpec['quality']['dropped'][number]>();
  for (const d of [...a.dropped, ...b.dropped]) {
    const seen = dropped.get(d.reason);
    // Line numbers of the two IDX files are not comparable; keep the train file's.
    dropped.set(d.reason, seen ? { ...seen, count: seen.count + d.count } : { ...d });
  }
  return { rowsRead: a.rowsRead + b.rowsRead, rowsKept: a.rowsKept + b.rowsKept, dropped: [...dropped.values()] };
}
