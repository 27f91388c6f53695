import type { LoadedArtifact } from '../artifact/store.js';
import { directoryHandler } from './model-io.js';
import type { LayersModel, Tf } from './tf.js';

/** Loads the tfjs LayersModel held by a (verified) Model artifact. */
export async function loadModel(tf: Tf, artifact: LoadedArtifact<'Model'>): Promise<LayersModel> {
  const modelJson = artifact.file(artifact.manifest.spec.files.model);
  return tf.loadLayersModel(directoryHandler(modelJson.replace(/[/\\][^/\\]+$/, '')));
}

/**
 * Runs the model on normalised rows in batches; returns rows × units outputs, row-major.
 * Each batch's tensors are freed before the next.
 */
export async function predictRows(tf: Tf, model: LayersModel, features: Float32Array, shape: number[], units: number, batchSize = 256): Promise<Float32Array> {
  const width = shape.reduce((a, b) => a * b, 1);
  const rows = features.length / width;
  const out = new Float32Array(rows * units);
  for (let start = 0; start < rows; start += batchSize) {
    const n = Math.min(batchSize, rows - start);
    const y = tf.tidy(() => model.predict(tf.tensor(features.subarray(start * width, (start + n) * width), [n, ...shape], 'float32')) as ReturnType<Tf['tensor']>);
    out.set((await y.data()) as Float32Array, start * units);
    y.dispose();
  }
  return out;
}
