#!/usr/bin/env node
// The demo: preprocess-data → train-model → evaluate-gate → post-metrics-comment (summary mode)
// on examples/digits through the bundled `mlops` CLI (the same core functions as the actions),
// with local artifacts and a local cache. A second run is served from the caches and says so.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const output = process.env.MLOPS_DEMO_OUTPUT || join(root, '.mlops', 'demo');
const env = { ...process.env, MLOPS_CACHE_DIR: process.env.MLOPS_CACHE_DIR || join(root, '.mlops', 'cache') };
const quiet = process.argv.includes('--quiet');
const started = Date.now();

function mlops(stage, flags) {
  const args = [join(root, 'bin/mlops.js'), stage, ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, String(v)])];
  const t0 = Date.now();
  const out = execFileSync(process.execPath, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', quiet ? 'ignore' : 'inherit'] });
  return { outputs: JSON.parse(out), seconds: (Date.now() - t0) / 1000 };
}

const line = (label, value) => console.log(`  ${label.padEnd(9)} ${value}`);
console.log(`mlops-actions demo: examples/digits → ${output}\n(cache: ${env.MLOPS_CACHE_DIR})\n`);

const pre = mlops('preprocess-data', { source: join(root, 'examples/digits/digits.csv'), label: 'digit', normalize: 'scale:16', output, cache: true });
const train = mlops('train-model', { dataset: pre.outputs.dataset, model: join(root, 'examples/models/mlp.yaml'), epochs: 20, backend: 'wasm', output, cache: true });
const gate = mlops('evaluate-gate', { model: train.outputs.model, dataset: pre.outputs.dataset, thresholds: 'accuracy >= 0.95\nf1_macro >= 0.95', baseline: 'auto', 'save-baseline': true, output });
const comment = mlops('post-metrics-comment', { report: gate.outputs.report, mode: 'summary', output });

console.log('\n================ pipeline ================');
console.log(`preprocess-data       ${pre.seconds.toFixed(2)}s ${pre.outputs['cache-hit'] === 'true' ? '(cache hit: restored, not recomputed)' : '(computed, saved to the cache)'}`);
line('Dataset', pre.outputs.dataset);
line('digest', pre.outputs.digest);
line('rows', pre.outputs.rows);
console.log(`train-model           ${train.seconds.toFixed(2)}s ${train.outputs['cache-hit'] === 'true' ? '(cache hit: restored, not retrained)' : `(trained on ${train.outputs.backend}, saved to the cache)`}`);
line('Model', train.outputs.model);
line('digest', train.outputs.digest);
console.log(`evaluate-gate         ${gate.seconds.toFixed(2)}s`);
line('Report', gate.outputs.report);
line('digest', gate.outputs.digest);
line('accuracy', JSON.parse(gate.outputs.metrics).accuracy.toFixed(4));
line('gate', gate.outputs.passed === 'true' ? 'PASSED' : 'FAILED');
console.log(`post-metrics-comment  ${comment.seconds.toFixed(2)}s (mode summary)`);
line('markdown', comment.outputs.markdown);
console.log(`\n================ ${comment.outputs.markdown} ================\n`);
console.log(readFileSync(comment.outputs.markdown, 'utf8'));
console.log(`Demo finished in ${((Date.now() - started) / 1000).toFixed(1)}s. Run it again: the dataset and model come from the cache, and the report compares with this run's baseline.`);
