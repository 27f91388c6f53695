import { preprocessData, SOURCE_FORMATS, type PreprocessOptions, type PreprocessResult } from '../data/preprocess.js';
import { parseNormalize } from '../data/normalize.js';
import type { SplitFractions } from '../data/split.js';
import { ConfigurationError } from '../errors.js';
import { escapeMarkdown, table } from '../report/markdown.js';
import { readBoolean, readChoice, readList, readNumber, readRequired, readString, type InputReader } from '../runtime/inputs.js';
import { withDefaults, type Stage } from '../runtime/stage.js';

const defaults = {
  format: 'auto',
  task: 'auto',
  normalize: 'none',
  split: '0.8,0.1,0.1',
  seed: '42',
  output: 'mlops-artifacts',
  cache: 'false',
  upload: 'false',
  'on-invalid': 'drop',
} as const;

/** Parses `train,validation,test` fractions that sum to 1. */
export function parseSplit(text: string): SplitFractions {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.length !== 3 || values.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new ConfigurationError(`'${text}' is not three non-negative fractions train,validation,test (e.g. 0.8,0.1,0.1).`, { input: 'split' });
  }
  const sum = values[0] + values[1] + values[2];
  if (Math.abs(sum - 1) > 1e-6) throw new ConfigurationError(`'${text}' sums to ${+sum.toFixed(6)}; the three fractions must sum to 1.`, { input: 'split' });
  if (values[0] <= 0) throw new ConfigurationError(`'${text}' leaves nothing to train on; the train fraction must be above 0.`, { input: 'split' });
  return values as SplitFractions;
}

function parseInputs(raw: InputReader): PreprocessOptions {
  const read = withDefaults(raw, defaults);
  return {
    source: readRequired(read, 'source', 'the path of a CSV/TSV/JSON Lines file (optionally .gz) or of a directory of MNIST-layout IDX files.'),
    format: readChoice(read, 'format', ['auto', ...SOURCE_FORMATS], 'auto'),
    label: readString(read, 'label'),
    features: readList(read, 'features'),
    task: readChoice(read, 'task', ['auto', 'classification', 'regression'] as const, 'auto'),
    normalize: parseNormalize(read('normalize')),
    split: parseSplit(read('split')),
    stratify: readBoolean(read, 'stratify', undefined),
    seed: readNumber(read, 'seed', 42, { integer: true, min: 0, max: 2 ** 32 - 1 }),
    name: readString(read, 'name'),
    output: readString(read, 'output', defaults.output),
    cache: readBoolean(read, 'cache', false),
    upload: readBoolean(read, 'upload', false),
    onInvalid: readChoice(read, 'on-invalid', ['drop', 'reject'] as const, 'drop'),
    classNames: readList(read, 'class-names'),
  };
}

function summary(result: PreprocessResult): string {
  const { spec, name, digest } = result.dataset;
  const lines = [
    `### Dataset \`${escapeMarkdown(name)}\`${result.cacheHit ? ' (restored from cache)' : ''}`,
    '',
    `${spec.task} · ${spec.source.format} source \`${escapeMarkdown(spec.source.file)}\` · shape [${spec.featureShape.join(', ')}] · normalisation ${spec.normalization.method} · digest \`${digest}\``,
    '',
    table(['split', 'rows'], (['train', 'validation', 'test'] as const).map((s) => [s, result.rows[s]]), ['l', 'r']),
    '',
    '**Data quality**',
    '',
    table(
      ['', 'rows', 'first line'],
      [
        ['read', spec.quality.rowsRead, ''],
        ...spec.quality.dropped.map((d) => [`dropped: ${d.reason}`, d.count, d.firstLine ?? '']),
        ['kept', spec.quality.rowsKept, ''],
      ],
      ['l', 'r', 'r'],
    ),
  ];
  if (spec.classes) {
    lines.push('', `**Classes** (${spec.classes.length}): ${spec.classes.map(escapeMarkdown).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** preprocess-data: raw data to a cleaned, split, normalised Dataset artifact. */
export const preprocessDataStage: Stage<PreprocessOptions, PreprocessResult> = {
  name: 'preprocess-data',
  inputs: ['source', 'format', 'label', 'features', 'task', 'normalize', 'split', 'stratify', 'seed', 'name', 'output', 'cache', 'upload', 'on-invalid', 'class-names'],
  defaults,
  parseInputs,
  execute: preprocessData,
  outputs: (r) => ({
    dataset: r.path,
    digest: r.dataset.digest,
    rows: JSON.stringify(r.rows),
    'cache-hit': String(r.cacheHit),
    ...(r.uploaded ? { 'artifact-ref': r.uploaded } : {}),
  }),
  summary,
};
