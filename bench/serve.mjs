#!/usr/bin/env node
// bench/serve: HTTP throughput and latency of the model server (lib/serve.js) on the digits MLP,
// with autocannon, against a bare Node http server that only parses the JSON body as the reference.
// Usage: node bench/serve.mjs [seconds=10] [runs=3]. Prints, per scenario, medians of the runs.
// Scenarios (runs interleaved, so drift in machine load hits every scenario alike):
//   bare http   1 and 32 connections, one example per request
//   model       1 and 32 connections, one example per request; 8 connections, 32 examples per request
//   model with MAX_BATCH_SIZE=1 (micro-batching off), 1 and 32 connections, one example per request
// Everything listens on 127.0.0.1; the server children are killed at the end, on error, on a signal
// and by a watchdog that bounds the whole run.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, availableParallelism, loadavg, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { median, root } from './stats.mjs';

const seconds = Number(process.argv[2] || 10);
const runs = Number(process.argv[3] || 3);
const warmupSeconds = Math.min(2, seconds);
const mlops = join(root, 'bin/mlops.js');
const started = Date.now();
const loadStart = loadavg();

// --- children, and the guarantees that they die --------------------------------------------------
const children = new Set();
const killAll = (signal = 'SIGKILL') => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
};
process.on('exit', () => killAll());
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { killAll(); process.exit(130); });
const budget = (7 * (warmupSeconds + runs * (seconds + 2)) + 180) * 1000;
setTimeout(() => {
  console.error(`bench/serve: over its time budget of ${(budget / 1000).toFixed(0)} s; stopping.`);
  killAll();
  process.exit(1);
}, budget).unref();

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(t);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts a server child on a free loopback port and waits until `readyPath` answers 200. */
async function startChild(name, args, readyPath, env = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, args(port), { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${stderr}`);
    if (await fetch(base + readyPath).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`${name} not ready within 60 s:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name, child, base, stderr: () => stderr };
}

const BARE = `
import { createServer } from 'node:http';
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method !== 'POST') { res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'); return; }
    let body;
    try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { res.writeHead(400).end(); return; }
    const n = body?.inputs?.[0]?.data?.length ?? 0;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, values: n }));
  });
});
server.keepAliveTimeout = 5000;
server.listen(Number(process.argv[1]), '127.0.0.1');
`;

/** mlops_batch_size sum and count from /metrics: rows and model calls so far. */
async function batchCounters(base) {
  const text = await fetch(`${base}/metrics`).then((r) => r.text());
  const num = (re) => Number(re.exec(text)?.[1] ?? NaN);
  return { rows: num(/^mlops_batch_size_sum(?:\{[^}]*\})? ([\d.e+-]+)$/m), calls: num(/^mlops_batch_size_count(?:\{[^}]*\})? ([\d.e+-]+)$/m), text };
}

function pct(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** One autocannon run; latencies from its per-response times (sub-ms), 2xx only. */
async function load(target, s, duration) {
  const before = target.metrics ? await batchCounters(target.base) : undefined;
  const latencies = [];
  const instance = autocannon({
    url: target.base,
    connections: s.connections,
    pipelining: 1,
    duration,
    timeout: 10,
    requests: s.bodies.map((body) => ({ method: 'POST', path: target.path, headers: { 'content-type': 'application/json' }, body })),
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const r = await instance;
  const after = target.metrics ? await batchCounters(target.base) : undefined;
  latencies.sort((a, b) => a - b);
  const ok = r['2xx'];
  return {
    rps: ok / r.duration,
    eps: (ok * s.rows) / r.duration,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    bad: r.non2xx + r.errors + r.timeouts,
    rowsPerCall: before ? (after.rows - before.rows) / (after.calls - before.calls) : undefined,
  };
}

const work = await mkdtemp(join(tmpdir(), 'mlops-bench-serve-'));
const servers = [];
let exitCode = 0;
try {
  // Dataset and model, as the README's pipeline makes them.
  const cli = (args) => {
    const r = spawnSync(process.execPath, [mlops, ...args], { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 300_000 });
    if (r.status !== 0) throw new Error(`mlops ${args[0]} failed (${r.status ?? r.signal}):\n${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const csv = join(root, 'examples/digits/digits.csv');
  const ds = cli(['preprocess-data', '--source', csv, '--label', 'digit', '--normalize', 'scale:16', '--output', work]);
  const model = cli(['train-model', '--dataset', ds.dataset, '--model', join(root, 'examples/models/mlp.yaml'), '--epochs', '5', '--backend', 'wasm', '--output', work]);

  // Raw examples (0..16 pixel counts, as a client sends them) from the CSV: 64 features, label last.
  const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1, 129).map((l) => l.split(',').slice(0, 64).map(Number));
  const body = (rs) => JSON.stringify({ inputs: [{ name: 'input', shape: [rs.length, 64], datatype: 'FP32', data: rs.flat() }] });
  const single = rows.slice(0, 32).map((r) => body([r]));
  const batched = [0, 1, 2, 3].map((i) => body(rows.slice(i * 32, (i + 1) * 32)));

  const serveArgs = (port) => [join(root, 'lib/serve.js'), '--model', model.model, '--port', String(port), '--host', '127.0.0.1'];
  const bare = await startChild('bare http', (port) => ['--input-type=module', '-e', BARE, String(port)], '/', {});
  bare.path = '/';
  const server = await startChild('model server', serveArgs, '/v2/health/ready', { MAX_BATCH_SIZE: '', MAX_WAIT_MS: '' });
  const nobatch = await startChild('model server, MAX_BATCH_SIZE=1', serveArgs, '/v2/health/ready', { MAX_BATCH_SIZE: '1', MAX_WAIT_MS: '' });
  servers.push(bare, server, nobatch);
  const modelName = JSON.parse(readFileSync(join(model.model, 'artifact.json'), 'utf8')).name;
  for (const t of [server, nobatch]) {
    t.path = `/v2/models/${modelName}/infer`;
    t.metrics = true;
    const res = await fetch(t.base + t.path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: batched[0] });
    const out = await res.json();
    if (!res.ok || out.outputs?.[1]?.data?.length !== 32) throw new Error(`${t.name}: a 32-example infer answered ${res.status} ${JSON.stringify(out).slice(0, 200)}`);
  }
  const backend = /mlops_model_load_seconds\{[^}]*backend="([^"]+)"/.exec((await batchCounters(server.base)).text)?.[1] ?? '?';

  const scenarios = [
    { label: 'bare http, 1 example/req', target: bare, connections: 1, rows: 1, bodies: single },
    { label: 'bare http, 1 example/req', target: bare, connections: 32, rows: 1, bodies: single },
    { label: 'model, 1 example/req', target: server, connections: 1, rows: 1, bodies: single },
    { label: 'model, 1 example/req', target: server, connections: 32, rows: 1, bodies: single },
    { label: 'model, 1 ex/req, MAX_BATCH_SIZE=1', target: nobatch, connections: 1, rows: 1, bodies: single },
    { label: 'model, 1 ex/req, MAX_BATCH_SIZE=1', target: nobatch, connections: 32, rows: 1, bodies: single },
    { label: 'model, 32 examples/req', target: server, connections: 8, rows: 32, bodies: batched },
  ].map((s) => ({ ...s, results: [] }));

  for (const s of scenarios) await load(s.target, s, warmupSeconds);
  for (let i = 0; i < runs; i++) {
    for (const s of scenarios) s.results.push(await load(s.target, s, seconds));
    process.stderr.write(`run ${i + 1}/${runs} done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }

  // Report.
  const loadEnd = loadavg();
  console.log(`model server (lib/serve.js, backend ${backend}) on digits MLP 64→128 relu→10 softmax; autocannon 8, ${seconds} s × ${runs} runs per scenario, medians`);
  console.log(`  defaults MAX_BATCH_SIZE=64 MAX_WAIT_MS=0; request logs to /dev/null; bare http = node:http + JSON.parse + small JSON reply`);
  const pad = (v, n) => String(v).padEnd(n);
  const lpad = (v, n) => String(v).padStart(n);
  console.log(`  ${pad('scenario', 34)}${lpad('conns', 5)}${lpad('req/s', 9)}${lpad('examples/s', 12)}${lpad('p50 ms', 9)}${lpad('p99 ms', 9)}${lpad('rows/call', 10)}  req/s of runs`);
  for (const s of scenarios) {
    const m = (k) => median(s.results.map((r) => r[k]));
    const bad = s.results.reduce((n, r) => n + r.bad, 0);
    const rpc = s.target.metrics ? m('rowsPerCall').toFixed(1) : '—';
    console.log(`  ${pad(s.label, 34)}${lpad(s.connections, 5)}${lpad(Math.round(m('rps')), 9)}${lpad(Math.round(m('eps')), 12)}${lpad(m('p50').toFixed(2), 9)}${lpad(m('p99').toFixed(2), 9)}${lpad(rpc, 10)}  ${s.results.map((r) => Math.round(r.rps)).join(', ')}${bad ? `  (${bad} errors/non-2xx)` : ''}`);
    if (bad) exitCode = 1;
  }
  const byLabel = (label, c) => scenarios.find((s) => s.label === label && s.connections === c);
  const on = median(byLabel('model, 1 example/req', 32).results.map((r) => r.rps));
  const off = median(byLabel('model, 1 ex/req, MAX_BATCH_SIZE=1', 32).results.map((r) => r.rps));
  const bare32 = median(byLabel('bare http, 1 example/req', 32).results.map((r) => r.rps));
  const p50 = (label, c) => median(byLabel(label, c).results.map((r) => r.p50));
  console.log(`  micro-batching at 32 connections: ${(on / off).toFixed(2)}× the req/s of MAX_BATCH_SIZE=1 (model server at ${((100 * on) / bare32).toFixed(0)}% of bare http);`);
  console.log(`  at 1 connection it costs the wait: p50 ${p50('model, 1 example/req', 1).toFixed(2)} ms vs ${p50('model, 1 ex/req, MAX_BATCH_SIZE=1', 1).toFixed(2)} ms with MAX_BATCH_SIZE=1`);
  console.log(`  machine: nproc ${availableParallelism()} (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; autocannon shares the machine with the servers; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`  load average (1/5/15 min) ${loadStart.map((x) => x.toFixed(1)).join('/')} at start, ${loadEnd.map((x) => x.toFixed(1)).join('/')} at end — shared machine: compare rows within this run only`);
} catch (error) {
  for (const s of servers) if (s.stderr()) console.error(`--- ${s.name} stderr:\n${s.stderr()}`);
  throw error;
} finally {
  await Promise.all(servers.map((s) => stop(s.child)));
  killAll();
  await rm(work, { recursive: true, force: true });
}
process.exitCode = exitCode;
