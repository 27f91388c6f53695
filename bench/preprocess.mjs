#!/usr/bin/env node
// bench/preprocess: MB/s and peak memory of preprocess-data on Fashion-MNIST (60k+10k × 784).
// Usage: node bench/preprocess.mjs [runs=5]. Prints medians of the runs.
import { mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { measure, median, root } from './stats.mjs';

const source = process.env.FASHION_MNIST_DIR || '/usr/share/datasets/fashion-mnist';
const runs = Number(process.argv[2] || 5);
const files = await readdir(source);
let compressed = 0;
let raw = 0;
for (const f of files) {
  const bytes = readFileSync(join(source, f));
  compressed += bytes.length;
  raw += f.endsWith('.gz') ? gunzipSync(bytes).length : bytes.length;
}
const rows = [];
for (let i = 0; i < runs; i++) {
  const out = await mkdtemp(join(tmpdir(), 'mlops-bench-pre-'));
  const r = measure(join(root, 'bin/mlops.js'), ['preprocess-data', '--source', source, '--normalize', 'scale:255', '--output', out]);
  const dataset = JSON.parse(r.stdout).dataset;
  let written = 0;
  for (const f of await readdir(dataset)) written += (await stat(join(dataset, f))).size;
  rows.push({ ...r, written });
  await rm(out, { recursive: true, force: true });
}
const secs = median(rows.map((r) => r.seconds));
console.log(`preprocess-data on Fashion-MNIST (${source}), ${runs} runs, Node ${process.version}`);
console.log(`  source: ${(compressed / 1e6).toFixed(1)} MB gzip, ${(raw / 1e6).toFixed(1)} MB raw IDX; dataset written: ${(rows[0].written / 1e6).toFixed(1)} MB`);
console.log(`  wall time      median ${secs.toFixed(2)} s  (runs: ${rows.map((r) => r.seconds.toFixed(2)).join(', ')})`);
console.log(`  throughput     median ${(raw / 1e6 / secs).toFixed(1)} MB/s of raw IDX, ${(rows[0].written / 1e6 / secs).toFixed(1)} MB/s of dataset written`);
console.log(`  peak RSS       median ${median(rows.map((r) => r.maxRssMb)).toFixed(0)} MB  (dataset in memory as float32: ${((70000 * 784 * 4) / 1e6).toFixed(0)} MB)`);
