import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { readArtifact } from '../../shared/src/artifact/store.js';
import { createLocalCache } from '../../shared/src/cache/artifact-cache.js';
import { silentLogger } from '../../shared/src/logger.js';
import { trainModelStage } from '../../shared/src/stages/train-model.js';
import { trainModel } from '../../shared/src/train/train.js';
import { repoRoot, runAction } from '../helpers/run-action.js';

const mlp = join(repoRoot, 'examples/models/mlp.yaml');
let work: string;
let digits: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlops-itg-train-'));
  const pre = await runAction('preprocess-data', { source: join(repoRoot, 'examples/digits/digits.csv'), label: 'digit', normalize: 'scale:16', output: work });
  expect(pre.code).toBe(0);
  digits = pre.outputs.dataset;
});

const train = (inputs: Record<string, string | number | boolean>, env: Record<string, string> = {}) =>
  runAction('train-model', { dataset: digits, model: mlp, epochs: 3, backend: 'wasm', ...inputs }, { env });

describe('train-model bundle', () => {
  test('trains the MLP and writes a Model artifact with lineage, history and signature', async () => {
    const run = await train({ epochs: 4, output: join(work, 'basic') });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ backend: 'wasm', 'epochs-run': '4', 'cache-hit': 'false' });
    expect(Number(run.outputs['final-val-accuracy'])).toBeGreaterThan(0.8);
    expect(Number(run.outputs['samples-per-second'])).toBeGreaterThan(0);
    const model = await readArtifact(run.outputs.model, { kind: 'Model' });
    const dataset = await readArtifact(digits, { kind: 'Dataset' });
    expect(model.manifest.inputs).toEqual([{ kind: 'Dataset', name: 'digits', digest: dataset.manifest.digest }]);
    const spec = model.manifest.spec;
    expect(spec.input).toEqual({ name: 'input', shape: [64], dtype: 'float32', normalization: { method: 'scale', divisor: 16 } });
    expect(spec.classes).toHaveLength(10);
    expect(spec.parameters).toBe(64 * 128 + 128 + 128 * 10 + 10);
    expect(spec.history.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(spec.history[3].valMetrics.accuracy).toBeGreaterThan(0);
    expect(spec.hyperparameters).toMatchObject({ optimizer: 'adam', learningRate: 0.001, loss: 'categoricalCrossentropy', backendFamily: 'wasm' });
    expect(model.manifest.run).toMatchObject({ backend: 'wasm', device: expect.stringContaining('WebAssembly') });
    expect(run.stdout).toMatch(/epoch 4\/4 {2}loss [\d.]+ {2}accuracy [\d.]+ {2}val_loss [\d.]+ {2}val_accuracy [\d.]+ {2}[\d.]+s {2}ETA 0s/);
    expect(run.summary).toContain('### Model `mlp`');
    expect(run.summary).toMatch(/\| epoch \| loss\s+\| accuracy/);
  });

  test.each(['wasm', 'cpu'])('backend %s forced: loads, trains, and the same seed gives the same weights', async (backend) => {
    const a = await train({ backend, output: join(work, `${backend}-a`), epochs: 2 });
    const b = await train({ backend, output: join(work, `${backend}-b`), epochs: 2 });
    const c = await train({ backend, output: join(work, `${backend}-c`), epochs: 2, seed: 7 });
    expect(a.errors).toEqual([]);
    expect(a.outputs.backend).toBe(backend);
    expect(b.outputs['weights-sha256']).toBe(a.outputs['weights-sha256']);
    expect(b.outputs.digest).toBe(a.outputs.digest);
    expect(c.outputs['weights-sha256']).not.toBe(a.outputs['weights-sha256']);
  });

  test.each([
    ['tensorflow', /Input 'backend': backend 'tensorflow' could not be loaded: tensorflow: @tensorflow\/tfjs-node is not installed \(looked in .*\)/],
    ['tensorflow-gpu', /Input 'backend': backend 'tensorflow-gpu' could not be loaded: tensorflow-gpu: no NVIDIA GPU is visible/],
  ])('backend %s forced on this CPU machine fails with the reason', async (backend, message) => {
    const run = await train({ backend, output: join(work, `forced-${backend}`) });
    expect(run.code).not.toBe(0);
    expect(run.errors.join('\n')).toMatch(message);
  });

  test('auto falls back to wasm and logs why each better backend was not taken', async () => {
    const run = await train({ backend: 'auto', epochs: 1, output: join(work, 'auto') });
    expect(run.outputs.backend).toBe('wasm');
    expect(run.stdout).toMatch(/Not using tensorflow-gpu: no NVIDIA GPU is visible/);
    expect(run.stdout).toMatch(/Not using tensorflow: @tensorflow\/tfjs-node is not installed/);
    expect(run.stdout).toMatch(/Using backend wasm on CPU \(WebAssembly SIMD, 1 thread\) \(auto\)\./);
  });

  test('require-gpu fails fast on this CPU machine, before reading any data', async () => {
    const run = await train({ backend: 'auto', 'require-gpu': true, dataset: '/does/not/exist', output: join(work, 'gpu') });
    expect(run.code).not.toBe(0);
    expect(run.errors.join('\n')).toMatch(/Input 'require-gpu': is true, but no GPU backend loaded \(tensorflow-gpu: no NVIDIA GPU is visible.*route it to a GPU runner \(runs-on: \[self-hosted, gpu\]\)/);
    expect(existsSync(join(work, 'gpu'))).toBe(false);
  });

  test('the training cache restores instead of retraining', async () => {
    const env = { MLOPS_CACHE_DIR: join(work, 'train-cache') };
    const first = await train({ cache: true, output: join(work, 'cached') }, env);
    const second = await train({ cache: true, output: join(work, 'cached') }, env);
    expect(first.outputs['cache-hit']).toBe('false');
    expect(second.outputs['cache-hit']).toBe('true');
    expect(second.outputs.digest).toBe(first.outputs.digest);
    expect(second.stdout).not.toMatch(/epoch 1\//);
    const third = await train({ cache: true, output: join(work, 'cached'), 'learning-rate': 0.01 }, env);
    expect(third.outputs['cache-hit']).toBe('false');
  });

  test('a checkpoint and resume after the process is killed equals an uninterrupted run', async () => {
    const inputs = { dataset: digits, model: mlp, epochs: 4, 'batch-size': 1, backend: 'wasm', 'checkpoint-every': 2 };
    const whole = await runAction('train-model', { ...inputs, output: join(work, 'whole') });
    expect(whole.code).toBe(0);

    // Preempt: SIGKILL the step as soon as it reports the checkpoint after epoch 2.
    const out = join(work, 'preempted');
    const env: Record<string, string> = { ...(process.env as Record<string, string>), GITHUB_OUTPUT: join(work, 'po'), MLOPS_CACHE_DIR: join(work, 'pc') };
    for (const [k, v] of Object.entries({ ...inputs, output: out })) env[`INPUT_${k.toUpperCase()}`] = String(v);
    await writeFile(env.GITHUB_OUTPUT, '');
    const child = spawn(process.execPath, [join(repoRoot, 'actions/train-model/dist/index.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    await new Promise<void>((done) => {
      child.stdout.on('data', (d) => {
        log += d;
        if (log.includes('Checkpoint after epoch 2')) child.kill('SIGKILL');
      });
      child.on('close', () => done());
    });
    expect(log).toContain('Checkpoint after epoch 2');
    expect(log).not.toContain('epoch 4/4');
    expect(existsSync(join(out, 'mlp'))).toBe(false);

    const resumed = await runAction('train-model', { ...inputs, output: out, resume: true });
    expect(resumed.errors).toEqual([]);
    expect(resumed.stdout).toContain('Resuming from the checkpoint after epoch 2');
    expect(resumed.stdout).not.toMatch(/epoch 1\/4/);
    expect(resumed.outputs['weights-sha256']).toBe(whole.outputs['weights-sha256']);
    expect(resumed.outputs.digest).toBe(whole.outputs.digest);
    expect(existsSync(join(out, 'mlp.checkpoint'))).toBe(false);
  });

  test('fine-tunes from a tfjs LayersModel (model.json) of an earlier run', async () => {
    const base = await train({ epochs: 1, output: join(work, 'ft-base') });
    const tuned = await train({ model: join(base.outputs.model, 'model', 'model.json'), epochs: 2, name: 'mlp-tuned', output: join(work, 'ft') });
    expect(tuned.errors).toEqual([]);
    expect(Number(tuned.outputs['final-val-accuracy'])).toBeGreaterThan(Number(base.outputs['final-val-accuracy']));
    const spec = (await readArtifact(tuned.outputs.model, { kind: 'Model' })).manifest.spec;
    expect(spec.architecture).toEqual([{ pretrained: { from: 'model' } }]);
    expect(spec.parameters).toBe(64 * 128 + 128 + 128 * 10 + 10);
  });

  test('early stopping stops when validation loss stops improving', async () => {
    const run = await train({ epochs: 60, 'learning-rate': 0.05, 'early-stopping-patience': 1, output: join(work, 'early') });
    expect(run.errors).toEqual([]);
    expect(Number(run.outputs['epochs-run'])).toBeLessThan(60);
    expect(run.stdout).toMatch(/Early stopping: val_loss has not improved on [\d.]+ for 1 epochs\./);
    expect((await readArtifact(run.outputs.model, { kind: 'Model' })).manifest.spec.stoppedEarly).toBe(true);
  });
});

describe('model spec errors name the layer and field', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown layer', 'layers:\n  - flatten: {}\n  - densee: { units: 8 }\n  - dense: { units: auto, activation: softmax }\n', /layer 2 \(densee\): 'densee' is not a tf.layers layer \(did you mean 'dense'\?\)/],
    ['bad config', 'layers:\n  - dense: { units: 8, activation: relux }\n  - dense: { units: auto, activation: softmax }\n', /layer 1 \(dense\), field 'activation': .*relux/],
    ['output width', 'layers:\n  - dense: { units: 8 }\n  - dense: { units: 5, activation: softmax }\n', /layer 2 \(dense\), field 'units': the model's output is \[batch, 5\], but the 10 classes of dataset 'digits' needs \[batch, 10\]/],
    ['auto too early', 'layers:\n  - dense: { units: auto }\n  - dense: { units: 10 }\n', /layer 1 \(dense\), field 'units': 'auto' is only allowed on the last layer/],
    ['no layers', 'compile: { optimizer: adam }\n', /needs a non-empty 'layers:' list/],
    ['not YAML', 'layers: [\n', /is not valid YAML or JSON/],
  ];
  test.each(cases)('%s', async (what, text, message) => {
    const path = join(work, `${what.replace(/ /g, '-')}.yaml`);
    await writeFile(path, text);
    const run = await train({ model: path, output: join(work, 'bad-spec') });
    expect(run.code).not.toBe(0);
    expect(run.errors.join('\n')).toMatch(/^Input 'model': /);
    expect(run.errors.join('\n')).toMatch(message);
    expect(existsSync(join(work, 'bad-spec', what.replace(/ /g, '-')))).toBe(false);
  });

  test('a tampered dataset is refused', async () => {
    const copy = join(work, 'tampered');
    const { cp } = await import('node:fs/promises');
    await cp(digits, copy, { recursive: true });
    const file = join(copy, 'train.labels.i32');
    const bytes = await readFile(file);
    bytes[0] ^= 1;
    await writeFile(file, bytes);
    const run = await train({ dataset: copy, output: join(work, 'tamper-out') });
    expect(run.errors.join('\n')).toMatch(/Input 'dataset': file 'train.labels.i32' of Dataset 'digits' has sha256 .* it was modified/);
  });
});

describe('training in-process (library)', () => {
  test('tf.memory() stays flat across epochs', async () => {
    const logger = silentLogger;
    const options = trainModelStage.parseInputs((name) => ({ dataset: digits, model: mlp, epochs: '6', backend: 'cpu', output: join(work, 'mem') })[name] ?? '');
    const result = await trainModel(options, { logger, cache: createLocalCache(join(work, 'mem-cache'), logger), via: 'cli', env: {} });
    expect(result.tensorsAfterEpoch).toHaveLength(6);
    expect(new Set(result.tensorsAfterEpoch).size).toBe(1);
  });
});
