import { evaluateGate, type EvaluateOptions, type EvaluateResult } from '../evaluate/evaluate.js';
import { renderEvaluationMarkdown } from '../report/evaluation.js';
import { readBoolean, readChoice, readRequired, readString, type InputReader } from '../runtime/inputs.js';
import { withDefaults, type Stage } from '../runtime/stage.js';
import { BACKEND_CHOICES } from '../train/backend.js';

const defaults = {
  'fail-on-gate': 'true',
  backend: 'auto',
  output: 'mlops-artifacts',
  upload: 'false',
} as const;

function parseInputs(raw: InputReader): EvaluateOptions {
  const read = withDefaults(raw, defaults);
  return {
    model: readRequired(read, 'model', "the Model artifact from train-model (its 'model' output), or artifact:<name>."),
    dataset: readRequired(read, 'dataset', "the Dataset artifact whose test split is scored (preprocess-data's 'dataset' output), or artifact:<name>."),
    thresholds: read('thresholds'),
    baseline: readString(read, 'baseline'),
    maxRegression: read('max-regression'),
    failOnGate: readBoolean(read, 'fail-on-gate', true),
    saveBaseline: readBoolean(read, 'save-baseline', undefined),
    backend: readChoice(read, 'backend', BACKEND_CHOICES, 'auto'),
    name: readString(read, 'name'),
    output: readString(read, 'output', defaults.output),
    upload: readBoolean(read, 'upload', false),
  };
}

/** evaluate-gate: a Model scored on a Dataset's test split, checked against rules and a baseline. */
export const evaluateGateStage: Stage<EvaluateOptions, EvaluateResult> = {
  name: 'evaluate-gate',
  inputs: ['model', 'dataset', 'thresholds', 'baseline', 'max-regression', 'fail-on-gate', 'save-baseline', 'backend', 'name', 'output', 'upload'],
  defaults,
  parseInputs,
  execute: evaluateGate,
  outputs: (r) => ({
    report: r.path,
    digest: r.report.digest,
    passed: String(r.passed),
    metrics: JSON.stringify(r.headline),
    summary: r.summaryPath,
    ...(r.uploaded ? { 'artifact-ref': r.uploaded } : {}),
  }),
  summary: (r) => renderEvaluationMarkdown(r.report, { latency: r.latency }),
  failure: (r) => {
    if (r.passed) return undefined;
    const failed = r.report.spec.gate.results.filter((x) => !x.passed).map((x) => x.message);
    return !r.failOnGate ? undefined : `The evaluation gate failed: ${failed.join('; ')}.`;
  },
};
