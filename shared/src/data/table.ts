import { createHash } from 'node:crypto';
import type { DataQuality } from '../artifact/schema.js';

export type DropReason = DataQuality['dropped'][number]['reason'];

/**
 * Collects rows as float32 features into one growing buffer (the output's own size, no
 * per-row objects), with a raw label per row, dropping exact duplicates and counting every
 * dropped row with its reason and first line.
 */
export class TableBuilder {
  readonly width: number;
  private data: Float32Array;
  rows = 0;
  rowsRead = 0;
  readonly labels: string[] = [];
  private readonly seen = new Set<string>();
  private readonly drops = new Map<DropReason, { count: number; firstLine?: number }>();
  private readonly row: Float32Array;

  constructor(width: number, expectedRows = 1024) {
    this.width = width;
    this.data = new Float32Array(width * Math.max(1, expectedRows));
    this.row = new Float32Array(width);
  }

  /** The scratch row to fill before calling commitRow(). */
  get scratch(): Float32Array {
    return this.row;
  }

  /** Counts a row read from the source (kept or not). */
  countRead(): void {
    this.rowsRead++;
  }

  drop(reason: DropReason, line?: number): void {
    const entry = this.drops.get(reason);
    if (entry) entry.count++;
    else this.drops.set(reason, { count: 1, firstLine: line });
  }

  /** Adds the scratch row with its label unless it duplicates an earlier row exactly. */
  commitRow(label: string, line?: number): boolean {
    const key = createHash('sha1')
      .update(new Uint8Array(this.row.buffer, this.row.byteOffset, this.row.byteLength))
      .update(`\0${label}`)
      .digest('base64');
    if (this.seen.has(key)) {
      this.drop('duplicate', line);
      return false;
    }
    this.seen.add(key);
    if ((this.rows + 1) * this.width > this.data.length) {
      const grown = new Float32Array(Math.max(this.data.length * 2, (this.rows + 1) * this.width));
      grown.set(this.data);
      this.data = grown;
    }
    this.data.set(this.row, this.rows * this.width);
    this.labels.push(label);
    this.rows++;
    return true;
  }

  /** The features of all kept rows, row-major. */
  features(): Float32Array {
    return this.data.subarray(0, this.rows * this.width);
  }

  quality(): DataQuality {
    const order: DropReason[] = ['missing-value', 'non-numeric', 'ragged-row', 'missing-label', 'duplicate'];
    return {
      rowsRead: this.rowsRead,
      rowsKept: this.rows,
      dropped: order
        .filter((r) => this.drops.has(r))
        .map((reason) => {
          const { count, firstLine } = this.drops.get(reason)!;
          return firstLine === undefined ? { reason, count } : { reason, count, firstLine };
        }),
    };
  }
}
