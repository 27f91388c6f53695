import { ConfigurationError } from '../errors.js';
import { escapeMarkdown, table } from '../report/markdown.js';
import { readBoolean, readChoice, readNumber, readRequired, readString, type InputReader } from '../runtime/inputs.js';
import { withDefaults, type Stage } from '../runtime/stage.js';
import { BACKEND_CHOICES } from '../train/backend.js';
import { OPTIMIZERS, trainModel, type TrainOptions, type TrainResult } from '../train/train.js';

const defaults = {
  epochs: '10',
  'batch-size': '32',
  optimizer: 'adam',
  seed: '42',
  backend: 'auto',
  'require-gpu': 'false',
  'early-stopping-patience': '0',
  'checkpoint-every': '0',
  resume: 'false',
  output: 'mlops-artifacts',
  cache: 'false',
  upload: 'false',
} as const;

function parseInputs(raw: InputReader): TrainOptions {
  const read = withDefaults(raw, defaults);
  const learningRate = read('learning-rate').trim();
  const options: TrainOptions = {
    dataset: readRequired(read, 'dataset', "the Dataset artifact from preprocess-data (its 'dataset' output), or artifact:<name>."),
    model: readRequired(read, 'model', 'the path of a model spec (YAML/JSON with a layers: list) or of a tfjs model.json to fine-tune.'),
    epochs: readNumber(read, 'epochs', 10, { integer: true, min: 1, max: 100000 }),
    batchSize: readNumber(read, 'batch-size', 32, { integer: true, min: 1, max: 65536 }),
    optimizer: readChoice(read, 'optimizer', OPTIMIZERS, 'adam'),
    learningRate: learningRate ? readNumber(read, 'learning-rate', 0, { min: Number.MIN_VALUE }) : undefined,
    loss: readString(read, 'loss'),
    seed: readNumber(read, 'seed', 42, { integer: true, min: 0, max: 2 ** 31 - 1 }),
    backend: readChoice(read, 'backend', BACKEND_CHOICES, 'auto'),
    requireGpu: readBoolean(read, 'require-gpu', false),
    earlyStoppingPatience: readNumber(read, 'early-stopping-patience', 0, { integer: true, min: 0 }),
    checkpointEvery: readNumber(read, 'checkpoint-every', 0, { integer: true, min: 0 }),
    resume: readBoolean(read, 'resume', false),
    name: readString(read, 'name'),
    output: readString(read, 'output', defaults.output),
    cache: readBoolean(read, 'cache', false),
    upload: readBoolean(read, 'upload', false),
  };
  if (options.requireGpu && (options.backend === 'wasm' || options.backend === 'cpu')) {
    throw new ConfigurationError(`is true, but backend is '${options.backend}', which never uses a GPU; use backend: auto or tensorflow-gpu.`, { input: 'require-gpu' });
  }
  return options;
}

const num = (v: number, digits = 4) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

function summary(r: TrainResult): string {
  const { spec, name, digest } = r.model;
  const h = spec.hyperparameters;
  const lines = [
    `### Model \`${escapeMarkdown(name)}\`${r.cacheHit ? ' (restored from cache, not retrained)' : ''}`,
    '',
    `${spec.parameters.toLocaleString('en-US')} parameters · backend **${r.backend.name}** on ${escapeMarkdown(r.backend.device)} · ${h.optimizer} lr ${h.learningRate} · batch ${h.batchSize} · seed ${h.seed} · digest \`${digest}\``,
    '',
    `**${r.mainMetric.name} ${num(r.mainMetric.value)}** after ${r.epochsRun} epochs${spec.stoppedEarly ? ' (stopped early)' : ''}${r.resumedFrom !== undefined ? `, resumed after epoch ${r.resumedFrom}` : ''} · ${Math.round(r.samplesPerSecond).toLocaleString('en-US')} samples/s`,
    '',
  ];
  const metricNames = [...new Set(spec.history.flatMap((e) => Object.keys(e.metrics)))];
  const valNames = [...new Set(spec.history.flatMap((e) => Object.keys(e.valMetrics)))];
  lines.push(
    table(
      ['epoch', 'loss', ...metricNames, 'val_loss', ...valNames.map((m) => `val_${m}`)],
      spec.history.map((e) => [e.epoch, num(e.loss), ...metricNames.map((m) => num(e.metrics[m])), num(e.valLoss ?? NaN), ...valNames.map((m) => num(e.valMetrics[m]))]),
    ),
  );
  return `${lines.join('\n')}\n`;
}

/** train-model: a Dataset and a model spec to a trained Model artifact. */
export const trainModelStage: Stage<TrainOptions, TrainResult> = {
  name: 'train-model',
  inputs: ['dataset', 'model', 'epochs', 'batch-size', 'optimizer', 'learning-rate', 'loss', 'seed', 'backend', 'require-gpu', 'early-stopping-patience', 'checkpoint-every', 'resume', 'name', 'output', 'cache', 'upload'],
  defaults,
  parseInputs,
  execute: trainModel,
  outputs: (r) => ({
    model: r.path,
    digest: r.model.digest,
    backend: r.backend.name,
    device: r.backend.device,
    'epochs-run': String(r.epochsRun),
    'final-loss': String(r.finalLoss),
    'final-val-accuracy': String(r.mainMetric.value),
    'samples-per-second': String(Math.round(r.samplesPerSecond)),
    'weights-sha256': r.model.spec.weightsSha256,
    'cache-hit': String(r.cacheHit),
    ...(r.uploaded ? { 'artifact-ref': r.uploaded } : {}),
  }),
  summary,
};
