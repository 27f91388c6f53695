import { readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeProducer } from '../artifact/producer.js';
import type { ArtifactManifest, EvaluationSpec } from '../artifact/schema.js';
import { lineageOf, readArtifact, writeArtifact, type LoadedArtifact } from '../artifact/store.js';
import { requireRunner, resolveArtifactInput, uploadWorkflowArtifact } from '../artifact/transfer.js';
import { readSplit } from '../data/splits.js';
import { ConfigurationError } from '../errors.js';
import type { StageContext } from '../runtime/stage.js';
import { loadBackend, type BackendChoice } from '../train/backend.js';
import { loadModel, predictRows } from '../train/inference.js';
import {
  bootstrapIntervals,
  classificationHeadline,
  classificationMetrics,
  flattenMetrics,
  regressionHeadline,
  regressionMetrics,
} from './metrics.js';
import { evaluateRules, parseMaxRegression, parseThresholds } from './rules.js';
import { renderEvaluationMarkdown } from '../report/evaluation.js';

export interface EvaluateOptions {
  model: string;
  dataset: string;
  thresholds: string;
  /** '' none, 'auto' the latest saved from the default branch, or a path / artifact:<name>. */
  baseline: string;
  maxRegression: string;
  failOnGate: boolean;
  /** undefined: true on the default branch. */
  saveBaseline?: boolean;
  backend: BackendChoice;
  name: string;
  output: string;
  upload: boolean;
}

export interface Latency {
  batchExamplesPerSecond: number;
  singleP50Ms: number;
  singleP95Ms: number;
}

export interface EvaluateResult {
  path: string;
  report: ArtifactManifest<'EvaluationReport'>;
  passed: boolean;
  headline: Record<string, number>;
  summaryPath: string;
  latency: Latency;
  backend: string;
  /** Whether a failed gate fails the step (fail-on-gate). */
  failOnGate: boolean;
  baselineSaved?: string;
  uploaded?: string;
}

/** The headline metrics shown first and in the `metrics` output. */
export const HEADLINE = {
  classification: ['accuracy', 'f1_macro', 'precision_macro', 'recall_macro', 'log_loss', 'roc_auc', 'top_k_accuracy'],
  regression: ['rmse', 'mae', 'r2', 'mse'],
} as const;

const BASELINE_PREFIX = 'mlops-baseline-';

/** Cache key prefix of the baselines of one model name. */
export const baselineKeyPrefix = (modelName: string) => `${BASELINE_PREFIX}${modelName}-`;

/** True when the run is on the repository's default branch (from the event payload). */
export async function onDefaultBranch(env: NodeJS.ProcessEnv): Promise<boolean> {
  if (!env.GITHUB_REF?.startsWith('refs/heads/') || !env.GITHUB_EVENT_PATH) return false;
  try {
    const event = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8'));
    const branch = event?.repository?.default_branch;
    return Boolean(branch) && env.GITHUB_REF === `refs/heads/${branch}`;
  } catch {
    return false;
  }
}

/**
 * evaluate-gate's core: scores the model on the dataset's test split, with bootstrap
 * intervals, checks every threshold and regression rule (failing closed on unknown metrics,
 * classes or a missing baseline), and writes an EvaluationReport with lineage.
 */
export async function evaluateGate(options: EvaluateOptions, context: StageContext): Promise<EvaluateResult> {
  const { logger } = context;
  if (options.upload) requireRunner(context.env, 'upload', 'upload: true');
  // Rules are parsed first: a malformed rule is an error before any work.
  const rules = parseThresholds(options.thresholds);
  const regressions = parseMaxRegression(options.maxRegression);

  const model = await resolveArtifactInput(options.model, { kind: 'Model', input: 'model', logger, env: context.env });
  const dataset = await resolveArtifactInput(options.dataset, { kind: 'Dataset', input: 'dataset', logger, env: context.env });
  const mSpec = model.manifest.spec;
  const dSpec = dataset.manifest.spec;
  if (mSpec.input.shape.join('x') !== dSpec.featureShape.join('x')) {
    throw new ConfigurationError(`Dataset '${dataset.manifest.name}' has examples of shape [${dSpec.featureShape}], but Model '${model.manifest.name}' takes [${mSpec.input.shape}].`, { input: 'dataset' });
  }
  if (mSpec.task !== dSpec.task || (mSpec.classes ?? []).join('\u0000') !== (dSpec.classes ?? []).join('\u0000')) {
    throw new ConfigurationError(`Model '${model.manifest.name}' was trained for ${mSpec.task}${mSpec.classes ? ` with classes ${mSpec.classes.join(', ')}` : ''}; Dataset '${dataset.manifest.name}' is ${dSpec.task}${dSpec.classes ? ` with classes ${dSpec.classes.join(', ')}` : ''}.`, { input: 'dataset' });
  }
  if (!model.manifest.inputs.some((i) => i.digest === dataset.manifest.digest)) {
    logger.warning(`Model '${model.manifest.name}' was not trained on Dataset '${dataset.manifest.name}' (${dataset.manifest.digest}); evaluating on it anyway.`);
  }

  const name = options.name || `${model.manifest.name}-evaluation`;
  const target = resolve(options.output, name);
  const baseline = await loadBaseline(options, model.manifest.name, context);
  if (regressions.length && !baseline) {
    throw new ConfigurationError(
      options.baseline === 'auto'
        ? `max-regression rules need a baseline, and none has been saved for model '${model.manifest.name}' yet (baseline: auto looks for one saved from the default branch). Run the workflow on the default branch first, or drop max-regression until then.`
        : 'max-regression rules need a baseline: set baseline to auto, to an EvaluationReport path, or to artifact:<name>.',
      { input: 'baseline' },
    );
  }

  const backend = await loadBackend(options.backend, { requireGpu: false, logger, env: context.env });
  logger.info(`Evaluating on backend ${backend.name} (${backend.device}).`);
  const { tf } = backend;
  const test = await readSplit(dataset, 'test', { normalized: true });
  if (test.rows === 0) throw new ConfigurationError(`Dataset '${dataset.manifest.name}' has an empty test split; give preprocess-data a test fraction above 0.`, { input: 'dataset' });
  const tfModel = await loadModel(tf, model);
  const units = mSpec.output.units;

  const { outputs, latency } = await logger.group(`Score ${model.manifest.name} on ${test.rows} test rows`, async () => {
    const started = performance.now();
    const out = await predictRows(tf, tfModel, test.features, test.shape, units);
    const batchSeconds = (performance.now() - started) / 1000;
    const singles: number[] = [];
    const n = Math.min(200, test.rows);
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await predictRows(tf, tfModel, test.features.subarray(i * test.width, (i + 1) * test.width), test.shape, units, 1);
      singles.push(performance.now() - t0);
    }
    singles.sort((a, b) => a - b);
    const lat: Latency = { batchExamplesPerSecond: test.rows / batchSeconds, singleP50Ms: singles[Math.floor(n * 0.5)], singleP95Ms: singles[Math.min(n - 1, Math.floor(n * 0.95))] };
    logger.info(`batch throughput ${Math.round(lat.batchExamplesPerSecond)} examples/s; single example p50 ${lat.singleP50Ms.toFixed(2)} ms, p95 ${lat.singleP95Ms.toFixed(2)} ms`);
    return { outputs: out, latency: lat };
  });
  tfModel.dispose();

  const classification = dSpec.task === 'classification';
  let metrics: Record<string, number>;
  let intervals: Record<string, [number, number]>;
  let perClass: EvaluationSpec['perClass'];
  let confusion: number[][] | undefined;
  const headlineNames: readonly string[] = classification ? HEADLINE.classification : HEADLINE.regression;
  if (classification) {
    const yTrue = test.labels as Int32Array;
    const full = classificationMetrics(yTrue, outputs, dSpec.classes!);
    metrics = flattenMetrics(full);
    perClass = full.perClass.map((c) => ({ name: c.name, precision: c.precision, recall: c.recall, f1: c.f1, support: c.support, ...(Number.isFinite(c.rocAuc) ? { rocAuc: c.rocAuc } : {}) }));
    confusion = full.confusion;
    const k = dSpec.classes!.length;
    intervals = bootstrapIntervals(test.rows, (idx) => pick(classificationHeadline(yTrue, outputs, k, idx), headlineNames), { seed: 20260101 });
  } else {
    const yTrue = test.labels as Float32Array;
    metrics = flattenMetrics(regressionMetrics(yTrue, outputs));
    intervals = bootstrapIntervals(test.rows, (idx) => pick(regressionHeadline(yTrue, outputs, idx), headlineNames), { seed: 20260101 });
  }
  const gate = evaluateRules({ metrics, intervals, rules, regressions, baseline: baseline?.metrics, classes: dSpec.classes });
  for (const r of gate.results) (r.passed ? logger.info : logger.error)(`${r.passed ? 'PASS' : 'FAIL'} ${r.message}`);
  logger.info(`Gate ${gate.passed ? 'passed' : 'failed'}: ${gate.results.filter((r) => r.passed).length} of ${gate.results.length} rules hold.`);

  const finiteIntervals = Object.fromEntries(Object.entries(intervals).filter(([, [a, b]]) => Number.isFinite(a) && Number.isFinite(b)));
  const spec: EvaluationSpec = {
    task: dSpec.task,
    split: 'test',
    rows: test.rows,
    modelName: model.manifest.name,
    metrics: Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v))),
    intervals: finiteIntervals,
    gate: { passed: gate.passed, results: gate.results.map((r) => ({ ...r, observed: Number.isFinite(r.observed) ? r.observed : -1 })) },
    history: mSpec.history,
    lineage: { model: model.manifest.digest, dataset: dataset.manifest.digest },
  };
  if (dSpec.classes) spec.classes = dSpec.classes;
  if (perClass) spec.perClass = perClass;
  if (confusion) spec.confusion = confusion;
  if (baseline) spec.baseline = { name: baseline.manifest.name, digest: baseline.manifest.digest, metrics: baseline.metrics, source: baseline.source };

  const report = await writeArtifact(
    target,
    {
      kind: 'EvaluationReport',
      name,
      inputs: [lineageOf(model.manifest), lineageOf(dataset.manifest)],
      producer: describeProducer('evaluate-gate', context.via, context.env),
      run: { backend: backend.name, device: backend.device, ...latencyRun(latency) },
    },
    async () => spec,
  );
  const headline = Object.fromEntries(headlineNames.filter((m) => Number.isFinite(metrics[m])).map((m) => [m, metrics[m]]));
  const summaryPath = resolve(options.output, `${name}.md`);
  const tmpSummary = `${summaryPath}.tmp`;
  await writeFile(tmpSummary, renderEvaluationMarkdown(report, { latency }));
  await rename(tmpSummary, summaryPath);

  const result: EvaluateResult = { path: target, report, passed: gate.passed, headline, summaryPath, latency, backend: backend.name, failOnGate: options.failOnGate };
  const save = options.saveBaseline ?? (await onDefaultBranch(context.env));
  if (save) {
    if (gate.passed) {
      const key = `${baselineKeyPrefix(model.manifest.name)}${context.env.GITHUB_RUN_ID ? `${context.env.GITHUB_RUN_ID}-${context.env.GITHUB_RUN_ATTEMPT ?? 1}` : Date.now()}`;
      await context.cache.save(key, target);
      result.baselineSaved = key;
      logger.info(`Saved this report as the baseline for '${model.manifest.name}' (${key}).`);
    } else {
      logger.warning('The gate failed, so this report is not saved as the baseline.');
    }
  }
  if (options.upload) result.uploaded = await uploadWorkflowArtifact({ dir: target, manifest: report, file: (p) => join(target, p) }, { logger, env: context.env });
  return result;
}

function pick(all: Record<string, number>, names: readonly string[]): Record<string, number> {
  return Object.fromEntries(names.filter((n) => n in all).map((n) => [n, all[n]]));
}

function latencyRun(l: Latency) {
  return { batchExamplesPerSecond: Math.round(l.batchExamplesPerSecond), singleP50Ms: +l.singleP50Ms.toFixed(3), singleP95Ms: +l.singleP95Ms.toFixed(3) };
}

interface Baseline {
  manifest: ArtifactManifest<'EvaluationReport'>;
  metrics: Record<string, number>;
  source: string;
}

async function loadBaseline(options: EvaluateOptions, modelName: string, context: StageContext): Promise<Baseline | undefined> {
  const { logger } = context;
  if (!options.baseline) return undefined;
  let loaded: LoadedArtifact<'EvaluationReport'>;
  let source: string;
  if (options.baseline === 'auto') {
    const dir = resolve(options.output, `.baseline-${modelName}`);
    const prefix = baselineKeyPrefix(modelName);
    const key = await context.cache.restore(`${prefix}latest`, dir, [prefix]);
    if (!key) {
      logger.info(`No baseline saved yet for '${modelName}' (${context.cache.location}, prefix ${prefix}).`);
      return undefined;
    }
    loaded = await readArtifact(dir, { kind: 'EvaluationReport', input: 'baseline' });
    source = `cache ${key}`;
  } else {
    loaded = await resolveArtifactInput(options.baseline, { kind: 'EvaluationReport', input: 'baseline', logger, env: context.env });
    source = options.baseline;
  }
  logger.info(`Baseline: EvaluationReport '${loaded.manifest.name}' (${loaded.manifest.digest}) from ${source}.`);
  return { manifest: loaded.manifest, metrics: loaded.manifest.spec.metrics, source };
}
