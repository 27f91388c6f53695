#!/usr/bin/env node
// bench/train: training samples/s and peak memory of train-model on Fashion-MNIST, per TF.js backend,
// with PyTorch (Debian python3-torch, bench/train_torch.py) on the same model and data as the reference.
// Model: examples/models/mlp.yaml (flatten → dense 128 relu → dense 10 softmax), adam lr 0.001, batch 64.
// Usage: node bench/train.mjs [runs=3] [epochs=1]. Prints medians of the runs.
// Env: FASHION_MNIST_DIR (IDX source), CPU_ROWS (train rows for the slow cpu backend, default 10000;
// 0 = all), PYTHON (interpreter with torch, default /usr/bin/python3, Debian's), TORCH_THREADS (default nproc).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, mkdir, symlink } from 'node:fs/promises';
import { readFileSync, writeFileSync, existsSync, realpathSync } from 'node:fs';
import { tmpdir, availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { measure, median, root } from './stats.mjs';

const source = process.env.FASHION_MNIST_DIR || '/usr/share/datasets/fashion-mnist';
const runs = Number(process.argv[2] || 3);
const epochs = Number(process.argv[3] || 1);
const cpuRows = Number(process.env.CPU_ROWS ?? 10000);
const python = process.env.PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const mlops = join(root, 'bin/mlops.js');
const model = join(root, 'examples/models/mlp.yaml');
const started = Date.now();
const loadBefore = loadavg()[0];

const work = await mkdtemp(join(tmpdir(), 'mlops-bench-train-'));
try {
  // Preprocess once: the full dataset, and for the cpu backend a subset built from the first IDX rows.
  const preprocess = (src, out) => {
    const r = measure(mlops, ['preprocess-data', '--source', src, '--normalize', 'scale:255', '--output', out]);
    const o = JSON.parse(r.stdout);
    return { dataset: o.dataset, rows: JSON.parse(o.rows) };
  };
  const full = preprocess(source, join(work, 'full'));
  let subset = full;
  if (cpuRows > 0 && cpuRows < full.rows.train) {
    // preprocess-data splits the IDX train file train:validation in the split's ratio (0.8:0.1), so
    // taking train+validation rows in that ratio gives cpuRows training rows.
    const keep = Math.round((cpuRows * (full.rows.train + full.rows.validation)) / full.rows.train);
    const dir = join(work, 'subset-src');
    await mkdir(dir);
    for (const [file, rowBytes] of [['train-images-idx3-ubyte.gz', 784], ['train-labels-idx1-ubyte.gz', 1]]) {
      const idx = gunzipSync(readFileSync(join(source, file)));
      const header = 4 + 4 * idx[3];
      const head = Buffer.from(idx.subarray(0, header));
      head.writeUInt32BE(keep, 4);
      writeFileSync(join(dir, file), gzipSync(Buffer.concat([head, idx.subarray(header, header + keep * rowBytes)]), { level: 1 }));
    }
    for (const file of ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) await symlink(join(source, file), join(dir, file));
    subset = preprocess(dir, join(work, 'subset'));
  }

  // TF.js backends: tensorflow (tfjs-node) only when installed, then wasm and cpu.
  const backends = [
    { name: 'tensorflow', data: full },
    { name: 'wasm', data: full },
    { name: 'cpu', data: subset },
  ].map((b) => ({ ...b, results: [], unavailable: undefined, device: '' }));
  const train = (b) => {
    const r = measure(mlops, ['train-model', '--dataset', b.data.dataset, '--model', model, '--epochs', String(epochs),
      '--batch-size', '64', '--optimizer', 'adam', '--learning-rate', '0.001', '--backend', b.name, '--output', join(work, `model-${b.name}`)]);
    const o = JSON.parse(r.stdout);
    b.device = o.device;
    return { sps: Number(o['samples-per-second']), rss: r.maxRssMb, acc: Number(o['final-val-accuracy']) };
  };

  // PyTorch reference: same model, hyperparameters and row counts, on the same IDX files.
  const torch = { name: 'pytorch', results: [], unavailable: undefined, info: undefined };
  const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const why = (probe.error?.message || probe.stderr.trim().split('\n').pop() || `exit ${probe.status}`);
    torch.unavailable = `${python}: ${why} (install Debian's python3-torch)`;
  }
  const trainTorch = () => {
    const r = spawnSync(python, [join(root, 'bench/train_torch.py'), source, String(full.rows.train), String(full.rows.validation), String(epochs), '64'], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(r.stderr.trim().split('\n').slice(-3).join(' | '));
    const o = JSON.parse(r.stdout.trim().split('\n').pop());
    torch.info = o;
    return { sps: o.samples_per_second, rss: o.max_rss_mb, acc: o.final_val_accuracy };
  };

  // Interleave the runs so drift in machine load hits every backend alike.
  for (let i = 0; i < runs; i++) {
    for (const b of backends) {
      if (b.unavailable) continue;
      try { b.results.push(train(b)); } catch (e) {
        const err = String(e.message).split('\n').find((l) => l.startsWith('error:')) || String(e.message).split('\n')[0];
        b.unavailable = err.replace(/^error:\s*/, '').replace(/^Input 'backend': /, '').replace(/\s*Valid backends:.*$/, '');
      }
    }
    if (!torch.unavailable) {
      try { torch.results.push(trainTorch()); } catch (e) { torch.unavailable = `train_torch.py failed: ${e.message}`; }
    }
    process.stderr.write(`run ${i + 1}/${runs} done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }

  // Report.
  const rows = [...backends, torch];
  console.log(`train-model on Fashion-MNIST (${source}), MLP 784→128 relu→10 softmax, adam lr 0.001, batch 64, ${epochs} epoch(s), ${runs} runs, medians`);
  console.log(`  rows: train ${full.rows.train}, validation ${full.rows.validation}${subset !== full ? `; cpu backend on a ${subset.rows.train}/${subset.rows.validation}-row subset (first IDX rows) to keep it short, CPU_ROWS=0 for all` : ''}`);
  console.log('  samples/s = train rows × epochs / epoch time incl. the validation pass, excl. data loading (pytorch timed the same way)');
  console.log('');
  const pad = (s, n) => String(s).padEnd(n);
  const lpad = (s, n) => String(s).padStart(n);
  console.log(`  ${pad('backend', 11)}${lpad('samples/s', 10)}  ${pad('runs', 22)}${lpad('peak RSS MB', 12)}  ${pad('val acc', 8)}device`);
  for (const b of rows) {
    if (b.unavailable || b.results.length === 0) {
      console.log(`  ${pad(b.name, 11)}${lpad('—', 10)}  unavailable: ${b.unavailable ?? 'no runs'}`);
      continue;
    }
    const sps = median(b.results.map((r) => r.sps));
    const rss = median(b.results.map((r) => r.rss));
    const acc = median(b.results.map((r) => r.acc));
    const device = b.name === 'pytorch' ? `torch ${b.info.torch_version}, ${b.info.threads} threads` : b.device;
    console.log(`  ${pad(b.name, 11)}${lpad(Math.round(sps), 10)}  ${pad(b.results.map((r) => Math.round(r.sps)).join(', '), 22)}${lpad(rss.toFixed(0), 12)}  ${pad(acc.toFixed(3), 8)}${device}`);
  }
  console.log('');
  let blas = 'n/a';
  try { blas = realpathSync('/usr/lib/x86_64-linux-gnu/libblas.so.3'); } catch { /* not Debian amd64 */ }
  console.log(`  machine: nproc ${availableParallelism()}, Node ${process.version}, torch ${torch.info?.torch_version ?? 'unavailable'} (${python}, libblas.so.3 → ${blas}), total bench time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`  load average (1 min) ${loadBefore.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end — figures are only comparable on an otherwise idle machine`);
} finally {
  await rm(work, { recursive: true, force: true });
}
