import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Dataset, SplitName } from '../artifact/schema.js';
import type { LoadedArtifact } from '../artifact/store.js';
import { applyNormalization } from './normalize.js';

const CHUNK_ROWS = 2048;

/**
 * Writes the rows picked by `indices` as a little-endian float32 feature file and a label
 * file, in chunks, so a split is never copied whole in memory.
 */
export async function writeSplitFiles(
  dir: string,
  split: SplitName,
  features: Float32Array,
  width: number,
  labels: Int32Array | Float32Array,
  indices: Int32Array,
): Promise<{ features: string; labels: string }> {
  const featureFile = `${split}.features.f32`;
  const labelFile = `${split}.labels.${labels instanceof Int32Array ? 'i32' : 'f32'}`;
  const out = createWriteStream(join(dir, featureFile));
  for (let start = 0; start < indices.length; start += CHUNK_ROWS) {
    const end = Math.min(indices.length, start + CHUNK_ROWS);
    const chunk = new Float32Array((end - start) * width);
    for (let i = start; i < end; i++) chunk.set(features.subarray(indices[i] * width, (indices[i] + 1) * width), (i - start) * width);
    if (!out.write(new Uint8Array(chunk.buffer))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const picked = labels instanceof Int32Array ? new Int32Array(indices.length) : new Float32Array(indices.length);
  for (let i = 0; i < indices.length; i++) picked[i] = labels[indices[i]];
  const labelsOut = createWriteStream(join(dir, labelFile));
  labelsOut.end(new Uint8Array(picked.buffer));
  await once(labelsOut, 'finish');
  return { features: featureFile, labels: labelFile };
}

/** One split in memory: row-major features and one label per row. */
export interface SplitData {
  rows: number;
  width: number;
  shape: number[];
  features: Float32Array;
  labels: Int32Array | Float32Array;
}

/**
 * Loads a split of a Dataset artifact; with `normalized` the stored normalisation is
 * applied (training and evaluation), without it the raw features (what clients send).
 */
export async function readSplit(dataset: LoadedArtifact<'Dataset'>, split: SplitName, options: { normalized: boolean }): Promise<SplitData> {
  const spec: Dataset['spec'] = dataset.manifest.spec;
  const entry = spec.splits[split];
  const width = spec.featureShape.reduce((a, b) => a * b, 1);
  const featureBytes = await readFile(dataset.file(entry.features));
  const labelBytes = await readFile(dataset.file(entry.labels));
  const features = new Float32Array(featureBytes.buffer.slice(featureBytes.byteOffset, featureBytes.byteOffset + featureBytes.byteLength));
  const labelBuffer = labelBytes.buffer.slice(labelBytes.byteOffset, labelBytes.byteOffset + labelBytes.byteLength);
  const labels = spec.dtype.labels === 'int32' ? new Int32Array(labelBuffer) : new Float32Array(labelBuffer);
  if (options.normalized) applyNormalization(spec.normalization, features, width);
  return { rows: entry.rows, width, shape: spec.featureShape, features, labels };
}
