import { createInterface } from 'node:readline';
import { basename } from 'node:path';
import { ConfigurationError, didYouMean } from '../errors.js';
import { parseDelimited } from './csv.js';
import { openSource } from './source.js';
import { TableBuilder, type DropReason } from './table.js';

export type TabularFormat = 'csv' | 'tsv' | 'jsonl';
export type InvalidRowPolicy = 'drop' | 'reject';

export interface TabularReadOptions {
  path: string;
  format: TabularFormat;
  label: string;
  /** Feature columns; empty means every column but the label. */
  features: string[];
  onInvalid: InvalidRowPolicy;
}

export interface TabularData {
  table: TableBuilder;
  featureNames: string[];
}

/** A source row as the readers see it: named or positional values and the line it came from. */
interface RawRow {
  line: number;
  /** Values in header order, or null for a line that could not be parsed at all. */
  values: (string | number | null | undefined)[] | null;
}

/**
 * Reads CSV, TSV or JSON Lines into a TableBuilder: streamed, header (or first object's keys)
 * naming the columns, rows with missing or non-numeric features dropped or rejected.
 */
export async function readTabular(options: TabularReadOptions): Promise<TabularData> {
  const file = basename(options.path);
  const rows = options.format === 'jsonl' ? jsonlRows(options.path) : delimitedRows(options.path, options.format === 'tsv' ? '\t' : ',');
  const first = await rows.next();
  if (first.done) {
    throw new ConfigurationError(`'${file}' is empty: expected a header row naming the columns, then data rows.`, { input: 'source' });
  }
  const header = first.value.header;
  const labelIndex = header.indexOf(options.label);
  if (!options.label) {
    throw new ConfigurationError(`is required for ${options.format} sources: name the column holding the target. Columns in '${file}': ${header.join(', ')}.`, { input: 'label' });
  }
  if (labelIndex < 0) {
    throw new ConfigurationError(
      `column '${options.label}' is not in '${file}'${didYouMean(options.label, header)}. Columns that exist: ${header.join(', ')}.`,
      { input: 'label' },
    );
  }
  const featureNames = options.features.length ? options.features : header.filter((_, i) => i !== labelIndex);
  const featureIndex = featureNames.map((name) => {
    const i = header.indexOf(name);
    if (i < 0) {
      throw new ConfigurationError(
        `column '${name}' is not in '${file}'${didYouMean(name, header)}. Columns that exist: ${header.join(', ')}.`,
        { input: 'features' },
      );
    }
    if (i === labelIndex) throw new ConfigurationError(`lists the label column '${name}' as a feature; leave it out.`, { input: 'features' });
    return i;
  });
  if (featureNames.length === 0) {
    throw new ConfigurationError(`'${file}' has no columns besides the label '${options.label}'.`, { input: 'source' });
  }

  const table = new TableBuilder(featureNames.length);
  const row = table.scratch;
  const reject = (line: number, what: string) =>
    new ConfigurationError(`${file} line ${line}: ${what} (set on-invalid: drop to skip such rows instead).`, { input: 'source' });

  for await (const raw of first.value.rows) {
    table.countRead();
    const values = raw.values;
    let problem: DropReason | null = null;
    let detail = '';
    if (!values || values.length !== header.length) {
      problem = 'ragged-row';
      detail = values ? `has ${values.length} fields, but the header has ${header.length}` : 'is not a JSON object';
    } else {
      const label = values[labelIndex];
      if (label === null || label === undefined || String(label).trim() === '') {
        problem = 'missing-label';
        detail = `has no value in the label column '${options.label}'`;
      } else {
        for (let f = 0; f < featureIndex.length; f++) {
          const v = values[featureIndex[f]];
          const parsed = toNumber(v);
          if (parsed === MISSING) {
            problem = 'missing-value';
            detail = `column '${featureNames[f]}' is empty`;
            break;
          }
          if (parsed === NOT_NUMBER) {
            problem = 'non-numeric';
            detail = `column '${featureNames[f]}' holds ${JSON.stringify(String(v))}, which is not a number`;
            break;
          }
          row[f] = parsed;
        }
      }
    }
    if (problem) {
      if (options.onInvalid === 'reject') throw reject(raw.line, detail);
      table.drop(problem, raw.line);
      continue;
    }
    table.commitRow(String(values![labelIndex]).trim(), raw.line);
  }
  if (table.rowsRead === 0) {
    throw new ConfigurationError(`'${file}' has a header but no data rows.`, { input: 'source' });
  }
  if (table.rows === 0) {
    const reasons = table.quality().dropped.map((d) => `${d.count} ${d.reason} (first at line ${d.firstLine})`).join(', ');
    throw new ConfigurationError(`'${file}' has no usable rows: all ${table.rowsRead} were dropped: ${reasons}.`, { input: 'source' });
  }
  return { table, featureNames };
}

const MISSING = Symbol('missing');
const NOT_NUMBER = Symbol('not-number');

function toNumber(v: unknown): number | typeof MISSING | typeof NOT_NUMBER {
  if (v === null || v === undefined) return MISSING;
  if (typeof v === 'number') return Number.isFinite(v) ? v : NOT_NUMBER;
  if (typeof v !== 'string') return NOT_NUMBER;
  const s = v.trim();
  if (s === '') return MISSING;
  const n = Number(s);
  return Number.isFinite(n) ? n : NOT_NUMBER;
}

type RowSource = AsyncGenerator<{ header: string[]; rows: AsyncGenerator<RawRow> }>;

async function* delimitedRows(path: string, delimiter: string): RowSource {
  const records = parseDelimited(await openSource(path), delimiter);
  const head = await records.next();
  if (head.done) return;
  const header = head.value.fields.map((h) => h.trim().replace(/^\uFEFF/, ''));
  yield {
    header,
    rows: (async function* () {
      for await (const r of records) yield { line: r.line, values: r.fields };
    })(),
  };
}

async function* jsonlRows(path: string): RowSource {
  const lines = createInterface({ input: await openSource(path), crlfDelay: Infinity })[Symbol.asyncIterator]();
  let lineNo = 0;
  let first: Record<string, unknown> | null = null;
  let firstLine = 0;
  while (first === null) {
    const next = await lines.next();
    if (next.done) return;
    lineNo++;
    if (!next.value.trim()) continue;
    const parsed = parseObject(next.value);
    if (!parsed) {
      throw new ConfigurationError(`${basename(path)} line ${lineNo} is not a JSON object; JSON Lines needs one object per line.`, { input: 'source' });
    }
    first = parsed;
    firstLine = lineNo;
  }
  const header = Object.keys(first);
  const toValues = (o: Record<string, unknown>) => header.map((k) => o[k] as string | number | null | undefined);
  yield {
    header,
    rows: (async function* () {
      yield { line: firstLine, values: toValues(first) };
      while (true) {
        const next = await lines.next();
        if (next.done) return;
        lineNo++;
        if (!next.value.trim()) continue;
        const o = parseObject(next.value);
        yield { line: lineNo, values: o ? toValues(o) : null };
      }
    })(),
  };
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}
