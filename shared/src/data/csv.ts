import type { Readable } from 'node:stream';

/** One parsed record: its fields and the 1-based line it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Streams delimiter-separated records (RFC 4180 quoting: quoted fields may hold the
 * delimiter, newlines and doubled quotes). Works on bytes and carries only the unfinished
 * record between chunks, so the file is never held as one string.
 */
export async function* parseDelimited(stream: Readable, delimiter: string): AsyncGenerator<CsvRecord> {
  const delim = delimiter.charCodeAt(0);
  let carry: Buffer = Buffer.alloc(0);
  let line = 1;
  for await (const chunk of stream) {
    const buf: Buffer = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    let inQuotes = false;
    let newlines = 0;
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i];
      if (c === QUOTE) inQuotes = !inQuotes;
      else if (c === LF) {
        newlines++;
        if (!inQuotes) {
          const record = splitRecord(buf, start, i, delim);
          if (record) yield { fields: record, line };
          line += newlines;
          newlines = 0;
          start = i + 1;
        }
      }
    }
    carry = buf.subarray(start);
    if (carry.length === buf.length) carry = Buffer.from(carry); // don't pin a large chunk
  }
  if (carry.length) {
    const record = splitRecord(carry, 0, carry.length, delim);
    if (record) yield { fields: record, line };
  }
}

/** Splits buf[start, end) into fields; null for a blank line. */
function splitRecord(buf: Buffer, start: number, end: number, delim: number): string[] | null {
  if (end > start && buf[end - 1] === CR) end--;
  if (end === start) return null;
  const fields: string[] = [];
  let i = start;
  while (true) {
    if (buf[i] === QUOTE) {
      // Quoted field: up to the closing quote, "" standing for one quote.
      let text = '';
      let segment = i + 1;
      let j = i + 1;
      while (j < end) {
        if (buf[j] === QUOTE) {
          if (buf[j + 1] === QUOTE && j + 1 < end) {
            text += buf.toString('utf8', segment, j + 1);
            j += 2;
            segment = j;
            continue;
          }
          break;
        }
        j++;
      }
      text += buf.toString('utf8', segment, Math.min(j, end));
      // Anything between the closing quote and the delimiter is kept, as lenient parsers do.
      let k = j + 1;
      while (k < end && buf[k] !== delim) k++;
      if (k > j + 1) text += buf.toString('utf8', j + 1, k);
      fields.push(text);
      if (k >= end) break;
      i = k + 1;
    } else {
      let k = i;
      while (k < end && buf[k] !== delim) k++;
      fields.push(buf.toString('utf8', i, k));
      if (k >= end) break;
      i = k + 1;
    }
    if (i === end) {
      fields.push('');
      break;
    }
  }
  return fields;
}
