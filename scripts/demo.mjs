#!/usr/bin/env node
// The demo: the pipeline on examples/digits through the bundled `mlops` CLI (the same core
// functions as the actions), with local artifacts and a local cache. Prints each artifact's
// path and digest; a second run is served from the caches and says so.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const output = process.env.MLOPS_DEMO_OUTPUT || join(root, '.mlops', 'demo');
const env = { ...process.env, MLOPS_CACHE_DIR: process.env.MLOPS_CACHE_DIR || join(root, '.mlops', 'cache') };

function mlops(stage, flags) {
  const args = [join(root, 'bin/mlops.js'), stage, ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, String(v)])];
  const started = Date.now();
  const out = execFileSync(process.execPath, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return { outputs: JSON.parse(out), seconds: (Date.now() - started) / 1000 };
}

console.log(`mlops-actions demo: examples/digits → ${output}\n`);
const pre = mlops('preprocess-data', {
  source: join(root, 'examples/digits/digits.csv'),
  label: 'digit',
  normalize: 'scale:16',
  output,
  cache: true,
});
console.log(`\npreprocess-data  ${pre.outputs['cache-hit'] === 'true' ? '(cache hit) ' : ''}${pre.seconds.toFixed(2)}s`);
console.log(`  dataset  ${pre.outputs.dataset}`);
console.log(`  digest   ${pre.outputs.digest}`);
console.log(`  rows     ${pre.outputs.rows}`);
console.log('\ntrain-model, evaluate-gate and post-metrics-comment join this demo as they land (issues 3 and 4).');
