import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ConfigurationError } from '../errors.js';
import { readSourceBytes } from './source.js';
import { TableBuilder } from './table.js';

/** The MNIST-layout file pairs a directory source must hold (each optionally .gz). */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export interface IdxTensor {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parses an IDX file of unsigned bytes: magic 0x00 0x00 0x08 <dims>, the dimensions as
 * big-endian uint32, then the data.
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxTensor {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08 || bytes[3] < 1 || bytes[3] > 4) {
    const magic = bytes.length >= 4 ? `0x${view.getUint32(0).toString(16).padStart(8, '0')}` : `${bytes.length} bytes`;
    throw new ConfigurationError(
      `'${file}' is not an IDX file of unsigned bytes: its magic number is ${magic}; expected 0x00000801 (labels) or 0x00000803 (images).`,
      { input: 'source' },
    );
  }
  const rank = bytes[3];
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new ConfigurationError(`'${file}' is truncated inside its IDX header.`, { input: 'source' });
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const data = bytes.subarray(headerBytes);
  if (data.length !== expected) {
    throw new ConfigurationError(
      `'${file}' declares dimensions ${dims.join('×')} (${expected} bytes of data) but holds ${data.length}: it is truncated or corrupt.`,
      { input: 'source' },
    );
  }
  return { dims, data };
}

/** The four files of an MNIST-layout directory, or an error listing every one that is missing. */
async function findIdxFiles(dir: string): Promise<Record<keyof typeof IDX_FILES, string>> {
  const names = await readdir(dir);
  const found: Partial<Record<keyof typeof IDX_FILES, string>> = {};
  const missing: string[] = [];
  for (const [key, stem] of Object.entries(IDX_FILES) as [keyof typeof IDX_FILES, string][]) {
    const name = names.find((n) => n === stem || n === `${stem}.gz`);
    if (name) found[key] = join(dir, name);
    else missing.push(`${stem}[.gz]`);
  }
  if (missing.length) {
    throw new ConfigurationError(
      `directory '${dir}' has no ${missing.join(', ')}; an IDX source directory holds ${Object.values(IDX_FILES).join(', ')} (each optionally .gz).`,
      { input: 'source' },
    );
  }
  return found as Record<keyof typeof IDX_FILES, string>;
}

/** Reads one images/labels pair into a TableBuilder (pixels as float32, labels as digits). */
async function readPair(imagesPath: string, labelsPath: string): Promise<{ table: TableBuilder; shape: number[] }> {
  const images = parseIdx(await readSourceBytes(imagesPath), basename(imagesPath));
  const labels = parseIdx(await readSourceBytes(labelsPath), basename(labelsPath));
  if (labels.dims.length !== 1) {
    throw new ConfigurationError(`'${basename(labelsPath)}' should hold one label per image (1 dimension) but has ${labels.dims.length}.`, { input: 'source' });
  }
  if (images.dims[0] !== labels.dims[0]) {
    throw new ConfigurationError(
      `'${basename(imagesPath)}' holds ${images.dims[0]} images but '${basename(labelsPath)}' holds ${labels.dims[0]} labels.`,
      { input: 'source' },
    );
  }
  const shape = images.dims.slice(1);
  const width = shape.reduce((a, b) => a * b, 1);
  const table = new TableBuilder(width, images.dims[0]);
  const row = table.scratch;
  for (let r = 0; r < images.dims[0]; r++) {
    table.countRead();
    const pixels = images.data.subarray(r * width, (r + 1) * width);
    for (let i = 0; i < width; i++) row[i] = pixels[i];
    table.commitRow(String(labels.data[r]), r + 1);
  }
  return { table, shape };
}

/** Reads an MNIST-layout directory: the train pair and the t10k pair. */
export async function readIdxDirectory(dir: string): Promise<{ train: TableBuilder; test: TableBuilder; shape: number[] }> {
  const files = await findIdxFiles(dir);
  const train = await readPair(files.trainImages, files.trainLabels);
  const test = await readPair(files.testImages, files.testLabels);
  if (train.shape.join('x') !== test.shape.join('x')) {
    throw new ConfigurationError(`train images are ${train.shape.join('×')} but t10k images are ${test.shape.join('×')}.`, { input: 'source' });
  }
  return { train: train.table, test: test.table, shape: train.shape };
}
