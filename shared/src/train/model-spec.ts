import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigurationError, didYouMean } from '../errors.js';
import type { LayersModel, Tf } from './tf.js';

/** One layer as written in a model spec: a tf.layers constructor name and its config. */
export interface LayerSpec {
  type: string;
  config: Record<string, unknown>;
}

export interface ModelSpecFile {
  kind: 'layers';
  layers: LayerSpec[];
  compile: { optimizer?: string; loss?: string; metrics?: string[]; learningRate?: number };
  /** The spec's own text, canonicalised, for cache keys. */
  source: unknown;
}

export interface PretrainedModelFile {
  kind: 'pretrained';
  /** Directory holding model.json and its weights, for fine-tuning. */
  dir: string;
  source: unknown;
}

const fail = (message: string) => new ConfigurationError(message, { input: 'model' });

/** Layers whose kernels (and recurrent kernels) get a seeded initializer unless one is given. */
const KERNEL_LAYERS = new Set(['dense', 'conv1d', 'conv2d', 'conv3d', 'conv2dTranspose', 'simpleRNN', 'lstm', 'gru']);
const RECURRENT_LAYERS = new Set(['simpleRNN', 'lstm', 'gru']);
const SEEDED_LAYERS = new Set(['dropout', 'spatialDropout1d', 'gaussianNoise', 'gaussianDropout', 'alphaDropout']);

/** Reads a model spec (YAML or JSON `layers:` list) or a tfjs LayersModel model.json. */
export async function readModelSpec(path: string): Promise<ModelSpecFile | PretrainedModelFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw fail(`cannot read the model spec '${path}': ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message}. Pass a YAML/JSON file with a layers: list, or a tfjs model.json.`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text); // YAML is a superset of JSON
  } catch (error) {
    throw fail(`'${basename(path)}' is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (doc && typeof doc === 'object' && 'modelTopology' in doc) return { kind: 'pretrained', dir: path.replace(/[/\\][^/\\]+$/, '') || '.', source: doc };
  if (!doc || typeof doc !== 'object' || !Array.isArray((doc as { layers?: unknown }).layers) || (doc as { layers: unknown[] }).layers.length === 0) {
    throw fail(`'${basename(path)}' needs a non-empty 'layers:' list, e.g.\nlayers:\n  - flatten: {}\n  - dense: { units: 128, activation: relu }\n  - dense: { units: auto, activation: softmax }`);
  }
  const raw = doc as { layers: unknown[]; compile?: unknown };
  const layers = raw.layers.map((entry, i): LayerSpec => {
    const where = `layer ${i + 1}`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry) || Object.keys(entry).length !== 1) {
      throw fail(`${where} of '${basename(path)}' must be a map with one key, the layer type, e.g. '- dense: { units: 64 }'; got ${JSON.stringify(entry)}.`);
    }
    const [type, config] = Object.entries(entry)[0];
    if (config !== null && (typeof config !== 'object' || Array.isArray(config))) {
      throw fail(`${where} (${type}): its config must be a map of fields, e.g. '{ units: 64 }'; got ${JSON.stringify(config)}.`);
    }
    return { type, config: { ...((config as Record<string, unknown>) ?? {}) } };
  });
  const compile = (raw.compile ?? {}) as ModelSpecFile['compile'];
  if (typeof compile !== 'object' || Array.isArray(compile)) throw fail(`'compile:' in '${basename(path)}' must be a map (optimizer, loss, metrics, learningRate).`);
  return { kind: 'layers', layers, compile, source: doc };
}

/**
 * Builds a Sequential model from a spec: validates each layer name and config against
 * tf.layers, resolves `units: auto` on the last layer, seeds every initializer, and checks
 * the output width against the dataset. Errors name the layer (1-based) and the field.
 */
export function buildModel(
  tf: Tf,
  spec: ModelSpecFile,
  options: { inputShape: number[]; outputUnits: number; seed: number; what: string },
): { model: LayersModel; architecture: Record<string, unknown>[] } {
  const model = tf.sequential();
  const architecture: Record<string, unknown>[] = [];
  let inputShapePending = true;
  const available = Object.keys(tf.layers).filter((k) => typeof (tf.layers as Record<string, unknown>)[k] === 'function');
  spec.layers.forEach((layer, index) => {
    const where = `layer ${index + 1} (${layer.type})`;
    const factory = (tf.layers as Record<string, unknown>)[layer.type];
    if (typeof factory !== 'function' || layer.type.startsWith('_')) {
      throw fail(`${where}: '${layer.type}' is not a tf.layers layer${didYouMean(layer.type, available)}. Examples: dense, flatten, conv2d, maxPooling2d, dropout, batchNormalization.`);
    }
    const config: Record<string, unknown> = { ...layer.config };
    const last = index === spec.layers.length - 1;
    if (config.units === 'auto') {
      if (!last) throw fail(`${where}, field 'units': 'auto' is only allowed on the last layer (it takes the class count, or 1 for regression).`);
      config.units = options.outputUnits;
    }
    const recorded = { [layer.type]: { ...config } };
    // flatten on examples that are already flat (tabular data) is a no-op: skip it, so one
    // spec serves [64]-feature CSVs and [28, 28] images alike.
    const currentRank = inputShapePending ? options.inputShape.length : model.outputs[0].shape.length - 1;
    if (layer.type === 'flatten' && currentRank === 1) {
      architecture.push({ [layer.type]: { ...config, skipped: 'input already flat' } });
      return;
    }
    const seed = options.seed + index * 7919;
    if (KERNEL_LAYERS.has(layer.type)) config.kernelInitializer = seededInitializer(tf, config.kernelInitializer ?? 'glorotUniform', seed, where, 'kernelInitializer');
    if (RECURRENT_LAYERS.has(layer.type)) config.recurrentInitializer = seededInitializer(tf, config.recurrentInitializer ?? 'orthogonal', seed + 1, where, 'recurrentInitializer');
    if (SEEDED_LAYERS.has(layer.type) && config.seed === undefined) config.seed = seed;
    if (inputShapePending) config.inputShape = options.inputShape;
    inputShapePending = false;
    let built;
    try {
      built = (factory as (c: unknown) => unknown)(config);
      model.add(built as Parameters<typeof model.add>[0]);
    } catch (error) {
      const message = (error as Error).message;
      const field = Object.keys(layer.config).find((k) => message.includes(k));
      throw fail(`${where}${field ? `, field '${field}'` : ''}: ${message}`);
    }
    architecture.push(recorded);
  });
  const outShape = model.outputs[0].shape;
  const width = outShape[outShape.length - 1];
  if (outShape.length !== 2 || width !== options.outputUnits) {
    const n = spec.layers.length;
    throw fail(
      `layer ${n} (${spec.layers[n - 1].type}), field 'units': the model's output is [${outShape.map((d) => d ?? 'batch').join(', ')}], but ${options.what} needs [batch, ${options.outputUnits}]. Set units: auto on the last layer${outShape.length !== 2 ? ' and add a flatten layer before the dense layers' : ''}.`,
    );
  }
  return { model, architecture };
}

function seededInitializer(tf: Tf, value: unknown, seed: number, where: string, field: string): unknown {
  if (typeof value !== 'string') return value; // an explicit initializer config: used as given
  const factory = (tf.initializers as Record<string, unknown>)[value];
  if (typeof factory !== 'function') {
    const names = Object.keys(tf.initializers);
    throw fail(`${where}, field '${field}': '${value}' is not an initializer${didYouMean(value, names)}; e.g. glorotUniform, heNormal, zeros.`);
  }
  try {
    return (factory as (c: unknown) => unknown)({ seed });
  } catch {
    return (factory as (c?: unknown) => unknown)();
  }
}
