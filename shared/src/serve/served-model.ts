import type { ModelSpec } from '../artifact/schema.js';
import { readArtifact, type LoadedArtifact } from '../artifact/store.js';
import { applyNormalization } from '../data/normalize.js';
import type { Logger } from '../logger.js';
import { loadBackend, type BackendChoice } from '../train/backend.js';
import { loadModel, predictRows } from '../train/inference.js';
import type { LayersModel, Tf } from '../train/tf.js';

/** A Model artifact loaded for serving: raw features in, outputs (probabilities or a value) out. */
export interface ServedModel {
  name: string;
  version: string;
  task: 'classification' | 'regression';
  classes?: string[];
  /** Shape of one example. */
  shape: number[];
  width: number;
  units: number;
  digest: string;
  backend: string;
  loadSeconds: number;
  /** Normalises a copy of the raw rows and runs the model: rows × units. */
  predict(raw: Float32Array, rows: number): Promise<Float32Array>;
  dispose(): void;
}

export async function loadServedModel(path: string, options: { backend?: BackendChoice; logger: Logger; env?: NodeJS.ProcessEnv }): Promise<ServedModel> {
  const started = performance.now();
  const artifact: LoadedArtifact<'Model'> = await readArtifact(path, { kind: 'Model', input: 'model' });
  const backend = await loadBackend(options.backend ?? 'auto', { requireGpu: false, logger: options.logger, env: options.env });
  const tf: Tf = backend.tf;
  const model: LayersModel = await loadModel(tf, artifact);
  const spec: ModelSpec = artifact.manifest.spec;
  const width = spec.input.shape.reduce((a, b) => a * b, 1);
  // Warm up: the first call compiles kernels.
  await predictRows(tf, model, new Float32Array(width), spec.input.shape, spec.output.units, 1);
  return {
    name: artifact.manifest.name,
    version: '1',
    task: spec.task,
    classes: spec.classes,
    shape: spec.input.shape,
    width,
    units: spec.output.units,
    digest: artifact.manifest.digest,
    backend: backend.name,
    loadSeconds: (performance.now() - started) / 1000,
    async predict(raw, rows) {
      const features = applyNormalization(spec.input.normalization, Float32Array.from(raw.subarray(0, rows * width)), width);
      return predictRows(tf, model, features, spec.input.shape, spec.output.units, Math.max(1, rows));
    },
    dispose: () => model.dispose(),
  };
}
