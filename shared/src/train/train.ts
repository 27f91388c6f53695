import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { canonicalJson, sha256Hex } from '../artifact/digest.js';
import { describeProducer } from '../artifact/producer.js';
import type { ArtifactManifest, EpochRecord, ModelSpec } from '../artifact/schema.js';
import { lineageOf, replaceDirectory, writeArtifact, type LoadedArtifact } from '../artifact/store.js';
import { restoreVerified } from '../cache/artifact-cache.js';
import { requireRunner, resolveArtifactInput, uploadWorkflowArtifact } from '../artifact/transfer.js';
import { readSplit } from '../data/splits.js';
import { ConfigurationError } from '../errors.js';
import type { StageContext } from '../runtime/stage.js';
import { familyOf, loadBackend, type BackendChoice, type LoadedBackend } from './backend.js';
import { batchDataset, type LabelEncoding } from './batches.js';
import { directoryHandler, MODEL_JSON, WEIGHTS_BIN } from './model-io.js';
import { buildModel, readModelSpec } from './model-spec.js';
import type { LayersModel, Tf } from './tf.js';

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop', 'adagrad', 'adamax', 'adadelta'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
/** Each optimizer's usual default learning rate (as in Keras). */
export const DEFAULT_LEARNING_RATES: Record<OptimizerName, number> = { adam: 0.001, sgd: 0.01, rmsprop: 0.001, adagrad: 0.01, adamax: 0.002, adadelta: 1 };
export const CLASSIFICATION_LOSSES = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy'] as const;
export const REGRESSION_LOSSES = ['meanSquaredError', 'meanAbsoluteError', 'huberLoss'] as const;

export interface TrainOptions {
  dataset: string;
  model: string;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  /** undefined: the optimizer's default. */
  learningRate?: number;
  /** '' : from the task. */
  loss: string;
  seed: number;
  backend: BackendChoice;
  requireGpu: boolean;
  /** 0: off. Stops when validation loss has not improved for this many epochs. */
  earlyStoppingPatience: number;
  /** 0: off. */
  checkpointEvery: number;
  resume: boolean;
  name: string;
  output: string;
  cache: boolean;
  upload: boolean;
}

export interface TrainResult {
  path: string;
  model: ArtifactManifest<'Model'>;
  backend: Pick<LoadedBackend, 'name' | 'device' | 'skipped'>;
  epochsRun: number;
  finalLoss: number;
  /** The task's main validation metric: val accuracy, or val loss for regression. */
  mainMetric: { name: string; value: number };
  samplesPerSecond: number;
  wallSeconds: number;
  cacheHit: boolean;
  resumedFrom?: number;
  /** tf.memory().numTensors after each epoch (flat when nothing leaks). */
  tensorsAfterEpoch: number[];
  uploaded?: string;
}

/** Bump when the stored model layout changes. */
const CACHE_LAYOUT = 1;

function metricKey(key: string): string {
  return key === 'acc' ? 'accuracy' : key;
}

/** Derives a model name from the spec path (mlp.yaml → mlp; dir/model.json → dir). */
export function deriveModelName(specPath: string): string {
  const base = basename(specPath) === MODEL_JSON ? basename(dirname(resolve(specPath))) : basename(specPath).replace(/\.(ya?ml|json)$/i, '');
  return base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128) || 'model';
}

function createOptimizer(tf: Tf, name: OptimizerName, learningRate: number) {
  switch (name) {
    case 'adam': return tf.train.adam(learningRate);
    case 'sgd': return tf.train.sgd(learningRate);
    case 'rmsprop': return tf.train.rmsprop(learningRate);
    case 'adagrad': return tf.train.adagrad(learningRate);
    case 'adamax': return tf.train.adamax(learningRate);
    case 'adadelta': return tf.train.adadelta(learningRate);
  }
}

/** Hash of the weight values alone, the figure that shows two trainings are identical. */
export async function weightsSha256(model: LayersModel): Promise<string> {
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256');
  for (const w of model.getWeights()) {
    const data = (await w.data()) as Float32Array;
    hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest('hex');
}

/**
 * Optimizer scalars that setWeights() recomputes instead of restoring (Adam's and Adamax's
 * running beta powers, rebuilt with pow() rather than the repeated products): saved and put
 * back exactly, so a resumed run matches an uninterrupted one bit for bit.
 */
const OPTIMIZER_SCALARS = ['accBeta1', 'accBeta2'] as const;

type ScalarVariable = { dataSync(): Float32Array; assign(t: unknown): void };

function optimizerScalars(optimizer: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of OPTIMIZER_SCALARS) {
    const v = (optimizer as Record<string, ScalarVariable | undefined>)[name];
    if (v && typeof v.dataSync === 'function') out[name] = v.dataSync()[0];
  }
  return out;
}

function restoreOptimizerScalars(tf: Tf, optimizer: unknown, values: Record<string, number> | undefined): void {
  for (const [name, value] of Object.entries(values ?? {})) {
    const v = (optimizer as Record<string, ScalarVariable | undefined>)[name];
    if (v && typeof v.assign === 'function') tf.tidy(() => v.assign(tf.scalar(value)));
  }
}

interface CheckpointState {
  key: string;
  epochsDone: number;
  history: EpochRecord[];
  epochSeconds: number[];
  best: { valLoss: number; wait: number };
}

async function saveCheckpoint(dir: string, model: LayersModel, state: CheckpointState): Promise<void> {
  const tmp = `${dir}.tmp-${randomBytes(6).toString('hex')}`;
  await model.save(directoryHandler(tmp));
  const optimizerWeights = await model.optimizer.getWeights();
  const specs = [];
  const buffers: Buffer[] = [];
  for (const w of optimizerWeights) {
    const data = (await w.tensor.data()) as Float32Array;
    specs.push({ name: w.name, shape: w.tensor.shape, dtype: w.tensor.dtype });
    buffers.push(Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
  }
  await writeFile(join(tmp, 'optimizer.bin'), Buffer.concat(buffers));
  await writeFile(join(tmp, 'state.json'), JSON.stringify({ ...state, optimizer: specs, optimizerScalars: optimizerScalars(model.optimizer) }));
  await replaceDirectory(tmp, dir);
}

async function loadCheckpoint(
  tf: Tf,
  dir: string,
  key: string,
): Promise<{ model: LayersModel; state: CheckpointState; optimizer: { name: string; tensor: ReturnType<Tf['tensor']> }[]; scalars?: Record<string, number> } | null> {
  let state: CheckpointState & { optimizer: { name: string; shape: number[]; dtype: 'float32' | 'int32' }[]; optimizerScalars?: Record<string, number> };
  try {
    state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
  } catch {
    return null;
  }
  if (state.key !== key) return null;
  const model = await tf.loadLayersModel(directoryHandler(dir));
  const bytes = await readFile(join(dir, 'optimizer.bin'));
  let offset = 0;
  const optimizer = state.optimizer.map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const slice = bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + size * 4);
    offset += size * 4;
    const values = s.dtype === 'int32' ? new Int32Array(slice) : new Float32Array(slice);
    return { name: s.name, tensor: tf.tensor(values, s.shape, s.dtype) };
  });
  return { model, state, optimizer, scalars: state.optimizerScalars };
}

/**
 * train-model's core: loads a backend (failing fast when a GPU is required and missing),
 * builds the spec'd model, trains with seeded order and initialisers while streaming
 * batches, checkpoints and resumes, and writes a Model artifact with lineage to the dataset.
 */
export async function trainModel(options: TrainOptions, context: StageContext): Promise<TrainResult> {
  const { logger } = context;
  if (options.upload) requireRunner(context.env, 'upload', 'upload: true');
  const backend = await logger.group('Select backend', async () => {
    const loaded = await loadBackend(options.backend, { requireGpu: options.requireGpu, logger, env: context.env });
    for (const s of loaded.skipped) logger.info(`Not using ${s.backend}: ${s.reason}`);
    logger.info(`Using backend ${loaded.name} on ${loaded.device}${options.backend === 'auto' ? ' (auto)' : ''}.`);
    if (loaded.name === 'tensorflow-gpu') logger.info(`GPU preflight: ${loaded.device}`);
    return loaded;
  });
  const { tf } = backend;
  const dataset = await resolveArtifactInput(options.dataset, { kind: 'Dataset', input: 'dataset', logger, env: context.env });
  const spec = await readModelSpec(options.model);
  const dsSpec = dataset.manifest.spec;
  const classification = dsSpec.task === 'classification';
  const classes = dsSpec.classes?.length ?? 0;
  const outputUnits = classification ? classes : 1;

  const compile = spec.kind === 'layers' ? spec.compile : {};
  const optimizerName = (compile.optimizer as OptimizerName | undefined) ?? options.optimizer;
  if (!OPTIMIZERS.includes(optimizerName)) {
    throw new ConfigurationError(`compile.optimizer '${optimizerName}' in the model spec is not one of ${OPTIMIZERS.join(', ')}.`, { input: 'model' });
  }
  const learningRate = options.learningRate ?? compile.learningRate ?? DEFAULT_LEARNING_RATES[optimizerName];
  const loss = options.loss || compile.loss || (classification ? 'categoricalCrossentropy' : 'meanSquaredError');
  const validLosses: readonly string[] = classification ? CLASSIFICATION_LOSSES : REGRESSION_LOSSES;
  if (!validLosses.includes(loss)) {
    throw new ConfigurationError(`'${loss}' does not fit the ${dsSpec.task} dataset '${dataset.manifest.name}'; use one of ${validLosses.join(', ')}.`, { input: 'loss' });
  }
  const encoding: LabelEncoding = loss === 'categoricalCrossentropy' ? 'one-hot' : loss === 'sparseCategoricalCrossentropy' ? 'sparse' : 'target';
  const metrics = compile.metrics ?? (classification ? ['accuracy'] : ['mae']);
  const name = options.name || deriveModelName(options.model);
  const target = resolve(options.output, name);
  const hyperparameters: ModelSpec['hyperparameters'] = {
    epochs: options.epochs,
    batchSize: options.batchSize,
    optimizer: optimizerName,
    learningRate,
    loss,
    metrics,
    seed: options.seed,
    earlyStoppingPatience: options.earlyStoppingPatience,
    backendFamily: familyOf(backend.name),
  };
  const key = `mlops-model-${name}-${sha256Hex(canonicalJson({ layout: CACHE_LAYOUT, dataset: dataset.manifest.digest, spec: spec.source, hyperparameters })).slice(0, 40)}`;

  if (options.cache) {
    const restored = await restoreVerified(context.cache, key, target, 'Model', logger, 'not retraining');
    if (restored) return finishFromArtifact(restored, backend);
  }

  const [train, validation] = await logger.group(`Load dataset '${dataset.manifest.name}'`, async () => {
    const t = await readSplit(dataset, 'train', { normalized: true });
    const v = await readSplit(dataset, 'validation', { normalized: true });
    logger.info(`train ${t.rows} rows, validation ${v.rows} rows, example shape [${t.shape.join(', ')}], normalisation ${dsSpec.normalization.method}.`);
    return [t, v] as const;
  });

  const checkpointDir = join(resolve(options.output), `${name}.checkpoint`);
  let model: LayersModel;
  let architecture: Record<string, unknown>[];
  let state: CheckpointState = { key, epochsDone: 0, history: [], epochSeconds: [], best: { valLoss: Infinity, wait: 0 } };
  let resumedFrom: number | undefined;
  const optimizer = createOptimizer(tf, optimizerName, learningRate);

  if (spec.kind === 'layers') {
    ({ model, architecture } = buildModel(tf, spec, { inputShape: train.shape, outputUnits, seed: options.seed, what: classification ? `the ${classes} classes of dataset '${dataset.manifest.name}'` : 'a regression target' }));
  } else {
    model = await tf.loadLayersModel(directoryHandler(spec.dir));
    architecture = [{ pretrained: { from: basename(spec.dir) } }];
  }
  if (options.resume) {
    const checkpoint = await loadCheckpoint(tf, checkpointDir, key);
    if (checkpoint) {
      model.dispose();
      model = checkpoint.model;
      state = checkpoint.state;
      resumedFrom = state.epochsDone;
      model.compile({ optimizer, loss, metrics });
      await optimizer.setWeights(checkpoint.optimizer);
      restoreOptimizerScalars(tf, optimizer, checkpoint.scalars);
      logger.info(`Resuming from the checkpoint after epoch ${state.epochsDone} in ${checkpointDir}.`);
    } else {
      logger.info(`resume: no matching checkpoint in ${checkpointDir}; training from the start.`);
    }
  }
  if (resumedFrom === undefined) model.compile({ optimizer, loss, metrics });

  let currentEpoch: number | null = 0;
  const trainData = batchDataset(tf, train, { batchSize: options.batchSize, encoding, classes, seed: options.seed, epoch: () => currentEpoch });
  const valData = validation.rows > 0 ? batchDataset(tf, validation, { batchSize: 512, encoding, classes, seed: options.seed, epoch: () => null }) : undefined;
  const tensorsAfterEpoch: number[] = [];
  const started = Date.now();
  let epochStarted = 0;
  let stoppedEarly = false;

  if (state.epochsDone < options.epochs && !(state.best.wait >= options.earlyStoppingPatience && options.earlyStoppingPatience > 0)) {
    await logger.group(`Train ${name}: ${options.epochs} epochs, batch ${options.batchSize}, ${optimizerName} lr ${learningRate}, ${model.countParams()} parameters`, async () => {
      await model.fitDataset(trainData, {
        epochs: options.epochs,
        initialEpoch: state.epochsDone,
        validationData: valData,
        verbose: 0,
        callbacks: {
          onEpochBegin: async (epoch: number) => {
            currentEpoch = epoch;
            epochStarted = Date.now();
          },
          onEpochEnd: async (epoch: number, logs?: Record<string, number>) => {
            const seconds = (Date.now() - epochStarted) / 1000;
            const record: EpochRecord = { epoch: epoch + 1, loss: logs!.loss, metrics: {}, valMetrics: {} };
            for (const [k, v] of Object.entries(logs ?? {})) {
              if (k === 'loss') continue;
              if (k === 'val_loss') record.valLoss = v;
              else if (k.startsWith('val_')) record.valMetrics[metricKey(k.slice(4))] = v;
              else record.metrics[metricKey(k)] = v;
            }
            state.history.push(record);
            state.epochSeconds.push(seconds);
            state.epochsDone = epoch + 1;
            tensorsAfterEpoch.push(tf.memory().numTensors);
            const remaining = options.epochs - state.epochsDone;
            const mean = state.epochSeconds.reduce((a, b) => a + b, 0) / state.epochSeconds.length;
            const parts = [`loss ${fmt(record.loss)}`, ...Object.entries(record.metrics).map(([k, v]) => `${k} ${fmt(v)}`)];
            if (record.valLoss !== undefined) parts.push(`val_loss ${fmt(record.valLoss)}`);
            parts.push(...Object.entries(record.valMetrics).map(([k, v]) => `val_${k} ${fmt(v)}`));
            logger.info(`epoch ${state.epochsDone}/${options.epochs}  ${parts.join('  ')}  ${seconds.toFixed(1)}s  ETA ${Math.round(remaining * mean)}s`);
            if (options.earlyStoppingPatience > 0 && record.valLoss !== undefined) {
              if (record.valLoss < state.best.valLoss) state.best = { valLoss: record.valLoss, wait: 0 };
              else if (++state.best.wait >= options.earlyStoppingPatience) {
                logger.info(`Early stopping: val_loss has not improved on ${fmt(state.best.valLoss)} for ${state.best.wait} epochs.`);
                stoppedEarly = true;
                model.stopTraining = true;
              }
            }
            if (options.checkpointEvery > 0 && state.epochsDone % options.checkpointEvery === 0 && remaining > 0) {
              await saveCheckpoint(checkpointDir, model, state);
              logger.info(`Checkpoint after epoch ${state.epochsDone} in ${checkpointDir}.`);
            }
          },
        },
      });
    });
  }
  const wallSeconds = (Date.now() - started) / 1000;
  const epochsTrainedNow = state.epochsDone - (resumedFrom ?? 0);
  const samplesPerSecond = epochsTrainedNow > 0 ? (train.rows * epochsTrainedNow) / Math.max(1e-9, state.epochSeconds.slice(resumedFrom ?? 0).reduce((a, b) => a + b, 0)) : 0;

  const weightsHash = await weightsSha256(model);
  const manifest = await logger.group(`Write Model '${name}'`, async () => {
    const written = await writeArtifact(
      target,
      {
        kind: 'Model',
        name,
        inputs: [lineageOf(dataset.manifest)],
        producer: describeProducer('train-model', context.via, context.env),
        run: { backend: backend.name, device: backend.device, wallSeconds, samplesPerSecond, epochSeconds: state.epochSeconds, ...(resumedFrom !== undefined ? { resumedFromEpoch: resumedFrom } : {}) },
      },
      async (dir) => {
        await model.save(directoryHandler(join(dir, 'model')));
        const modelSpec: ModelSpec = {
          format: 'tfjs-layers-model',
          task: dsSpec.task,
          files: { model: `model/${MODEL_JSON}`, weights: [`model/${WEIGHTS_BIN}`] },
          weightsSha256: weightsHash,
          input: { name: 'input', shape: train.shape, dtype: 'float32', normalization: dsSpec.normalization },
          output: { name: classification ? 'probabilities' : 'prediction', units: outputUnits },
          parameters: model.countParams(),
          architecture,
          hyperparameters,
          epochsRun: state.epochsDone,
          stoppedEarly,
          history: state.history,
        };
        if (dsSpec.classes) modelSpec.classes = dsSpec.classes;
        return modelSpec;
      },
    );
    logger.info(`Wrote ${target} (${written.digest}, weights ${weightsHash.slice(0, 12)}).`);
    return written;
  });
  model.dispose();
  optimizer.dispose();
  await rm(checkpointDir, { recursive: true, force: true });
  if (options.cache) await context.cache.save(key, target);
  const last = state.history[state.history.length - 1];
  const result: TrainResult = {
    path: target,
    model: manifest,
    backend,
    epochsRun: state.epochsDone,
    finalLoss: last?.loss ?? NaN,
    mainMetric: mainMetricOf(last, classification),
    samplesPerSecond,
    wallSeconds,
    cacheHit: false,
    resumedFrom,
    tensorsAfterEpoch,
  };
  if (options.upload) result.uploaded = await uploadWorkflowArtifact({ dir: target, manifest, file: (p) => join(target, p) }, { logger, env: context.env });
  return result;

  async function finishFromArtifact(loaded: LoadedArtifact<'Model'>, b: LoadedBackend): Promise<TrainResult> {
    const m = loaded.manifest;
    const lastEpoch = m.spec.history[m.spec.history.length - 1];
    const r: TrainResult = {
      path: loaded.dir,
      model: m,
      backend: b,
      epochsRun: m.spec.epochsRun,
      finalLoss: lastEpoch?.loss ?? NaN,
      mainMetric: mainMetricOf(lastEpoch, m.spec.task === 'classification'),
      samplesPerSecond: Number(m.run?.samplesPerSecond ?? 0),
      wallSeconds: 0,
      cacheHit: true,
      tensorsAfterEpoch: [],
    };
    if (options.upload) r.uploaded = await uploadWorkflowArtifact(loaded, { logger, env: context.env });
    return r;
  }
}

function mainMetricOf(last: EpochRecord | undefined, classification: boolean): { name: string; value: number } {
  if (!last) return { name: classification ? 'val_accuracy' : 'val_loss', value: NaN };
  if (classification && last.valMetrics.accuracy !== undefined) return { name: 'val_accuracy', value: last.valMetrics.accuracy };
  if (last.valLoss !== undefined) return { name: 'val_loss', value: last.valLoss };
  return { name: 'loss', value: last.loss };
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : String(v);
}
