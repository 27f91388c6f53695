import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { readArtifact } from '../../shared/src/artifact/store.js';
import { repoRoot, requireComponent, runAction } from '../helpers/run-action.js';

const mlp = join(repoRoot, 'examples/models/mlp.yaml');
let work: string;
let digits: string;
let good: string; // 20 epochs
let weak: string; // 1 epoch

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlops-itg-gate-'));
  const pre = await runAction('preprocess-data', { source: join(repoRoot, 'examples/digits/digits.csv'), label: 'digit', normalize: 'scale:16', output: work });
  digits = pre.outputs.dataset;
  const a = await runAction('train-model', { dataset: digits, model: mlp, epochs: 20, backend: 'wasm', output: join(work, 'good') });
  const b = await runAction('train-model', { dataset: digits, model: mlp, epochs: 1, backend: 'wasm', output: join(work, 'weak') });
  expect([a.code, b.code]).toEqual([0, 0]);
  good = a.outputs.model;
  weak = b.outputs.model;
});

const gate = (inputs: Record<string, string | boolean>, env: Record<string, string> = {}) =>
  runAction('evaluate-gate', { model: good, dataset: digits, output: join(work, 'reports', String(Math.random()).slice(2)), ...inputs }, { env });

describe('evaluate-gate bundle', () => {
  test('the digits example passes accuracy >= 0.95; outputs, report and summary', async () => {
    const run = await gate({ thresholds: 'accuracy >= 0.95\nf1_macro >= 0.9\nlog_loss <= 0.5\nrecall[7] >= 0.8' });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.passed).toBe('true');
    const metrics = JSON.parse(run.outputs.metrics);
    expect(metrics.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(Object.keys(metrics)).toEqual(expect.arrayContaining(['accuracy', 'f1_macro', 'precision_macro', 'recall_macro', 'log_loss', 'roc_auc', 'top_k_accuracy']));
    const report = await readArtifact(run.outputs.report, { kind: 'EvaluationReport' });
    const spec = report.manifest.spec;
    expect(report.manifest.inputs.map((i) => i.kind)).toEqual(['Model', 'Dataset']);
    expect(spec.rows).toBe(179);
    expect(spec.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(179);
    expect(spec.perClass).toHaveLength(10);
    const [lo, hi] = spec.intervals.accuracy;
    expect(lo).toBeLessThanOrEqual(spec.metrics.accuracy);
    expect(hi).toBeGreaterThanOrEqual(spec.metrics.accuracy);
    expect(spec.gate.results.map((r) => r.passed)).toEqual([true, true, true, true]);
    expect(spec.gate.results[0].message).toMatch(/^accuracy 0\.\d+ \[0\.\d+, [\d.]+\] meets >= 0\.95$/);
    expect(report.manifest.run).toMatchObject({ batchExamplesPerSecond: expect.any(Number), singleP50Ms: expect.any(Number), singleP95Ms: expect.any(Number) });
    const md = await readFile(run.outputs.summary, 'utf8');
    expect(md).toMatch(/^### ✅ Model evaluation: mlp/);
    expect(run.summary.trim()).toBe(md.trim());
  });

  test('a failed gate fails the step with an error naming each failed rule, and still sets the outputs', async () => {
    const run = await gate({ model: weak, thresholds: 'accuracy >= 0.99\nroc_auc >= 0.5\nrecall[3] >= 0.999' });
    expect(run.code).not.toBe(0);
    expect(run.outputs.passed).toBe('false');
    expect(existsSync(run.outputs.report)).toBe(true);
    const errors = run.errors.join('\n');
    expect(errors).toMatch(/FAIL accuracy 0\.\d+ \[[\d.]+, [\d.]+\] is below 0\.99/);
    expect(errors).toMatch(/FAIL recall\[3\] 0\.\d+ is below 0\.999/);
    expect(errors).not.toMatch(/FAIL roc_auc/);
    expect(errors).toMatch(/The evaluation gate failed: accuracy .* is below 0\.99; recall\[3\] .* is below 0\.999\./);
    expect(run.summary).toMatch(/### ❌ Model evaluation: mlp/);
  });

  test('report only: fail-on-gate false passes the step with passed=false', async () => {
    const run = await gate({ model: weak, thresholds: 'accuracy >= 0.99', 'fail-on-gate': false });
    expect(run.code).toBe(0);
    expect(run.outputs.passed).toBe('false');
    expect(run.errors.join('\n')).toMatch(/FAIL accuracy/);
  });

  test('regression against a baseline report: the weak model regresses from the good one', async () => {
    const base = await gate({ thresholds: 'accuracy >= 0.5' });
    const run = await gate({ model: weak, baseline: base.outputs.report, 'max-regression': 'accuracy: 0.005\nlog_loss: 10%' });
    expect(run.code).not.toBe(0);
    const spec = (await readArtifact(run.outputs.report, { kind: 'EvaluationReport' })).manifest.spec;
    const acc = spec.gate.results.find((r) => r.metric === 'accuracy')!;
    expect(acc).toMatchObject({ kind: 'regression', passed: false, baseline: expect.any(Number), delta: expect.any(Number) });
    expect(acc.delta!).toBeLessThan(-0.005);
    expect(acc.message).toMatch(/^accuracy fell by 0\.\d+ \(0\.\d+ → 0\.\d+.*\), more than the allowed 0\.005$/);
    expect(spec.baseline?.digest).toBe(base.outputs.digest);
    expect(run.summary).toMatch(/\| metric\s+\| value\s+\| 95% CI\s+\| baseline\s+\| Δ/);
    // The good model against itself: no regression.
    const same = await gate({ baseline: base.outputs.report, 'max-regression': 'accuracy: 0.005' });
    expect(same.code).toBe(0);
  });

  test('baseline auto: saved from the default branch, restored on a pull request', async () => {
    const env = { MLOPS_CACHE_DIR: join(work, 'baseline-cache') };
    const event = join(work, 'event.json');
    await writeFile(event, JSON.stringify({ repository: { default_branch: 'main' } }));
    const none = await gate({ baseline: 'auto', 'max-regression': 'accuracy: 0.01' }, env);
    expect(none.code).not.toBe(0);
    expect(none.errors.join('\n')).toMatch(/Input 'baseline': max-regression rules need a baseline, and none has been saved for model 'mlp' yet/);

    const onMain = await gate({ thresholds: 'accuracy >= 0.9' }, { ...env, GITHUB_REF: 'refs/heads/main', GITHUB_EVENT_PATH: event, GITHUB_RUN_ID: '11' });
    expect(onMain.stdout).toMatch(/Saved this report as the baseline for 'mlp' \(mlops-baseline-mlp-11-1\)/);
    const onPr = await gate({ model: weak, baseline: 'auto', 'max-regression': 'accuracy: 0.01' }, { ...env, GITHUB_REF: 'refs/pull/5/merge', GITHUB_EVENT_PATH: event });
    expect(onPr.stdout).toMatch(/Baseline: EvaluationReport 'mlp-evaluation' .* from cache mlops-baseline-mlp-11-1/);
    expect(onPr.stdout).not.toMatch(/Saved this report as the baseline/);
    expect(onPr.errors.join('\n')).toMatch(/accuracy fell by/);
  });

  const failClosed: [string, Record<string, string>, RegExp][] = [
    ['unknown metric', { thresholds: 'acuracy >= 0.9' }, /Input 'thresholds': line 1 'acuracy >= 0.9': there is no metric 'acuracy' \(did you mean 'accuracy'\?\)/],
    ['unknown class', { thresholds: 'recall[Sneaker] >= 0.9' }, /Input 'thresholds': .*no class 'Sneaker'.*0, 1, 2, 3, 4, 5, 6, 7, 8, 9/],
    ['malformed rule', { thresholds: 'accuracy at least 0.9' }, /Input 'thresholds': line 1 'accuracy at least 0.9'/],
    ['baseline required but missing', { 'max-regression': 'accuracy: 0.01' }, /Input 'baseline': max-regression rules need a baseline: set baseline to auto/],
    ['baseline that is not a report', { baseline: '__digits__', 'max-regression': 'accuracy: 0.01' }, /Input 'baseline': .* is a Dataset artifact, but an EvaluationReport is needed here/],
  ];
  test.each(failClosed)('fails closed: %s', async (_what, inputs, message) => {
    const resolved = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v === '__digits__' ? digits : v]));
    const run = await gate(resolved);
    expect(run.code).not.toBe(0);
    expect(run.outputs.passed).toBeUndefined();
    expect(run.errors.join('\n')).toMatch(message);
  });

  test('refuses a model whose files fail their hashes', async () => {
    const copy = join(work, 'tampered-model');
    await cp(good, copy, { recursive: true });
    const weights = join(copy, 'model/weights.bin');
    const bytes = await readFile(weights);
    bytes[100] ^= 0xff;
    await writeFile(weights, bytes);
    const run = await gate({ model: copy, thresholds: 'accuracy >= 0.5' });
    expect(run.code).not.toBe(0);
    expect(run.errors.join('\n')).toMatch(/Input 'model': file 'model\/weights.bin' of Model 'mlp' has sha256 .* it was modified/);
  });
});

describe('Fashion-MNIST through the bundled actions (the design MLP on wasm)', () => {
  const fashion = '/usr/share/datasets/fashion-mnist';
  const present = requireComponent(existsSync(fashion), `Fashion-MNIST at ${fashion}`, 'apt-get install dataset-fashion-mnist');
  test.runIf(present)('reaches test accuracy >= 0.85 after 5 epochs, batch 64, adam', async () => {
    const out = join(work, 'fashion');
    const classes = 'T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot';
    const pre = await runAction('preprocess-data', { source: fashion, normalize: 'scale:255', 'class-names': classes, output: out });
    const trained = await runAction('train-model', { dataset: pre.outputs.dataset, model: mlp, epochs: 5, 'batch-size': 64, optimizer: 'adam', backend: 'wasm', output: out });
    expect(trained.errors).toEqual([]);
    const run = await runAction('evaluate-gate', { model: trained.outputs.model, dataset: pre.outputs.dataset, thresholds: 'accuracy >= 0.85\nrecall[Sneaker] >= 0.85', output: out });
    expect(run.errors).toEqual([]);
    expect(run.outputs.passed).toBe('true');
    expect(JSON.parse(run.outputs.metrics).accuracy).toBeGreaterThanOrEqual(0.85);
  }, 600_000);
});
