#!/usr/bin/env node
// bench/image: the serving image build-image makes for the digits MLP, and how long building it takes:
// image size and layers, cold build, warm rebuild (nothing changed), model-only rebuild, and one full
// build + smoke test + push to the local registry. Times are the CLI's wall time
// (`node bin/mlops.js build-image ...`, what a workflow step waits) and the stage's own build time
// (run.buildSeconds of the ContainerImage artifact: build through push, without Node start-up).
// Usage: node bench/image.mjs [runs=3]. Prints medians of the runs.
// Env: BASE_IMAGE (default mlops-actions/node24-base:24.22.3), IMAGE (default 127.0.0.1:5000/bench/digits).
//
// Each run: cold build, warm rebuild, model-only rebuild, on a fresh alias of the base (below).
// Cold builds: build-image uses the classic builder (API build, version 1), whose only cache is the
// images themselves, so removing every image of IMAGE would suffice (`docker builder prune` only
// clears BuildKit's cache). But on a shared daemon other images built on the same base from the same
// lib/ (integration tests) are cache hits too, so each cold run also builds FROM a fresh alias of
// the base (the same image plus one LABEL: no new layer, a new image ID nothing else descends from).
// The "cached steps" column checks this from the builder's "Using cache" lines.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir, availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { pack } from 'tar-stream';
import { median, root } from './stats.mjs';

const runs = Number(process.argv[2] || 3);
const base = process.env.BASE_IMAGE || 'mlops-actions/node24-base:24.22.3';
const repo = process.env.IMAGE || '127.0.0.1:5000/bench/digits';
const mlops = join(root, 'bin/mlops.js');
const started = Date.now();
const loadStart = loadavg();
const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET || '/var/run/docker.sock' });

// Bounded: the CLI children are killed after 10 min each and everything after a global budget.
const children = new Set();
process.on('exit', () => { for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
const budget = (runs * 3 * 120 + 600) * 1000;
setTimeout(() => { console.error(`bench/image: over its time budget of ${budget / 1000} s; stopping.`); process.exit(1); }, budget).unref();

const cli = (args) => {
  const r = spawnSync(process.execPath, [mlops, ...args], { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`mlops ${args[0]} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  return JSON.parse(r.stdout);
};

/** One build-image run through the CLI: wall time, outputs, stderr lines with their arrival times. */
function buildImage(model, { baseImage = base, smoke = false, push = false, output }) {
  const args = ['build-image', '--model', model, '--image', repo, '--base-image', baseImage, '--push', String(push), '--smoke-test', String(smoke), '--output', output];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [mlops, ...args], { env: { ...process.env, MLOPS_DEBUG: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    let stdout = '';
    let partial = '';
    const lines = [];
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      const now = (performance.now() - t0) / 1000;
      const parts = (partial + d).split('\n');
      partial = parts.pop();
      for (const text of parts) lines.push({ t: now, text });
    });
    child.on('error', reject);
    child.on('close', async (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      const wall = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`build-image failed (${code ?? signal}):\n${lines.slice(-20).map((l) => l.text).join('\n')}`));
      try {
        const out = JSON.parse(stdout);
        const artifact = JSON.parse(await readFile(join(out['container-image'], 'artifact.json'), 'utf8'));
        const steps = lines.filter((l) => /^Step \d+\/\d+ :/.test(l.text)).length;
        const cached = lines.filter((l) => /Using cache/.test(l.text)).length;
        built.add(artifact.run.imageId);
        resolve({ wall, out, run: artifact.run, steps, cached, lines });
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** Removes the local images of the bench repository (by tag: an ID another repository also tags
 *  keeps that tag; untagged parents go with them), and then the images this bench built. */
const built = new Set();
async function removeRepoImages() {
  const images = await docker.listImages({ filters: JSON.stringify({ reference: [repo] }) });
  for (const image of images) {
    const tags = (image.RepoTags ?? []).filter((t) => t.startsWith(`${repo}:`));
    if (tags.length) for (const t of tags) await docker.getImage(t).remove().catch(() => undefined);
    else if (!(image.RepoTags ?? []).some((t) => t !== '<none>:<none>')) await docker.getImage(image.Id).remove().catch(() => undefined);
  }
  for (const id of built) await docker.getImage(id).remove().catch(() => undefined);
  built.clear();
}

/** A fresh alias of the base: FROM base + one LABEL, so no cached image descends from it. */
const aliases = [];
async function freshBase() {
  const tag = `mlops-actions-bench/base:${randomBytes(6).toString('hex')}`;
  const tar = pack();
  const dockerfile = `FROM ${base}\nLABEL dev.mlops-actions.bench-nonce="${tag}"\n`;
  tar.entry({ name: 'Dockerfile' }, dockerfile);
  tar.finalize();
  const stream = await docker.buildImage(tar, { t: tag, rm: true, forcerm: true, version: '1' });
  await new Promise((done, fail) => docker.modem.followProgress(stream, (e) => (e ? fail(e) : done()), (ev) => ev.error && fail(new Error(ev.error))));
  aliases.push(tag);
  return tag;
}

const work = await mkdtemp(join(tmpdir(), 'mlops-bench-image-'));
let i = 0;
const out = () => join(work, `out-${i++}`);
try {
  await docker.ping();
  const version = (await docker.version()).Version;
  const baseInfo = await docker.getImage(base).inspect().catch(() => {
    throw new Error(`base image ${base} is missing: bash scripts/services/base-image.sh`);
  });

  // Dataset and models, outside every timing: A (seed 42) for cold and warm builds, one model per
  // model-only run (seeds 101...), and one for the full build + smoke test + push.
  const csv = join(root, 'examples/digits/digits.csv');
  const ds = cli(['preprocess-data', '--source', csv, '--label', 'digit', '--normalize', 'scale:16', '--output', work]);
  const train = (seed) => cli(['train-model', '--dataset', ds.dataset, '--model', join(root, 'examples/models/mlp.yaml'), '--epochs', '5', '--backend', 'wasm', '--seed', String(seed), '--output', join(work, `model-${seed}`)]).model;
  const modelA = train(42);
  const others = Array.from({ length: runs }, (_, k) => train(101 + k));
  const modelPush = train(999);

  // Interleaved, so drift in machine load hits every scenario alike; each run on its own fresh base
  // alias, so cache hits come from this run's builds only.
  const cold = [];
  const warm = [];
  const modelOnly = [];
  for (let k = 0; k < runs; k++) {
    await removeRepoImages();
    const alias = await freshBase();
    cold.push(await buildImage(modelA, { baseImage: alias, output: out() }));
    warm.push(await buildImage(modelA, { baseImage: alias, output: out() }));
    modelOnly.push(await buildImage(others[k], { baseImage: alias, output: out() }));
    process.stderr.write(`run ${k + 1}/${runs}: cold ${cold.at(-1).wall.toFixed(1)} s, warm ${warm.at(-1).wall.toFixed(1)} s, model-only ${modelOnly.at(-1).wall.toFixed(1)} s\n`);
  }
  await removeRepoImages();
  // On the shared base, as the brief's command line: image facts, and what other images' cache gives.
  const first = await buildImage(modelA, { output: out() });
  const again = await buildImage(modelA, { output: out() });
  const registryUp = await fetch(`http://${repo.split('/')[0]}/v2/`).then((r) => r.ok, () => false);
  const full = registryUp ? await buildImage(modelPush, { smoke: true, push: true, output: out() }) : undefined;

  // Image facts, from the first build on the shared base.
  const img = await docker.getImage(first.run.imageId).inspect();
  const history = await docker.getImage(first.run.imageId).history();
  const layerOf = (re) => history.find((h) => re.test(h.CreatedBy))?.Size ?? NaN;
  const runtimeBytes = layerOf(/COPY [^ ]+ in \/app\/ *$/);
  const modelBytes = layerOf(/COPY [^ ]+ in \/app\/model\/ *$/);
  const modelFiles = JSON.parse(await readFile(join(modelA, 'artifact.json'), 'utf8')).files;

  // Report.
  const mb = (b) => (b / 1e6).toFixed(1);
  const pad = (v, n) => String(v).padEnd(n);
  const lpad = (v, n) => String(v).padStart(n);
  console.log(`build-image: digits MLP onto ${base} → ${repo}, Docker ${version} classic builder, ${runs} runs, medians`);
  console.log(`  image ${mb(img.Size)} MB, ${img.RootFS.Layers.length} layers: base ${mb(baseInfo.Size)} MB in ${baseInfo.RootFS.Layers.length}, server runtime ${mb(runtimeBytes)} MB, model ${(modelBytes / 1e3).toFixed(0)} kB${modelFiles ? ` (${Object.keys(modelFiles).length} files)` : ''}, ${img.RootFS.Layers.length - baseInfo.RootFS.Layers.length - 2} other (WORKDIR)`);
  console.log(`  ${pad('scenario', 45)}${lpad('CLI wall s', 11)}${lpad('stage s', 9)}  ${pad('cached steps', 13)}runs (wall s)`);
  const row = (label, rs) => {
    const w = median(rs.map((r) => r.wall));
    const s = median(rs.map((r) => r.run.buildSeconds));
    const c = rs.map((r) => `${r.cached}/${r.steps - 1}`);
    console.log(`  ${pad(label, 45)}${lpad(w.toFixed(2), 11)}${lpad(s.toFixed(2), 9)}  ${pad([...new Set(c)].join(' '), 13)}${rs.map((r) => r.wall.toFixed(2)).join(', ')}`);
  };
  row('cold (repo images removed, fresh base)', cold);
  row(`first build FROM ${base.split('/').pop()} (1 run)`, [first]);
  row('warm rebuild, nothing changed', warm);
  row('model-only rebuild (new model each run)', modelOnly);
  if (full) {
    row('build + smoke test + push (1 run)', [full]);
    const at = (re) => full.lines.find((l) => re.test(l.text))?.t;
    const tBuild = at(/^== Build /);
    const tSmoke = at(/^== Smoke test/);
    const tPush = at(/^== Push /);
    const tEnd = at(/^Registry manifest digest/) ?? full.wall;
    const count = (re) => full.lines.filter((l) => /^debug: /.test(l.text) && re.test(l.text)).length;
    console.log(`    phases: start-up ${tBuild.toFixed(1)} s, build ${(tSmoke - tBuild).toFixed(1)} s, smoke test ${(tPush - tSmoke).toFixed(1)} s, push ${(tEnd - tPush).toFixed(1)} s (layers: ${count(/ Pushed$/)} pushed, ${count(/already exists/)} already in the registry, ${count(/Mounted from/)} mounted); ${full.out.image}`);
  } else {
    console.log(`  build + smoke test + push: skipped, the registry ${repo.split('/')[0]} does not answer (bash scripts/services/docker.sh start)`);
  }
  const ids = new Set([first, again].map((r) => r.run.imageId));
  const labelSteps = first.lines.filter((l) => /^Step \d+\/\d+ : LABEL /.test(l.text)).map((l) => l.text);
  const createdStep = labelSteps.find((t) => /image\.created=/.test(t))?.match(/^Step (\d+)/)?.[1];
  console.log(`  warm: image ID ${ids.size === 1 ? 'the same each time' : 'new on every rebuild'}; the stage's labels are ${labelSteps.length} LABEL steps after the model COPY${createdStep ? `, and org.opencontainers.image.created (step ${createdStep}) changes every build, so it and the later steps never hit the cache` : ''}`);
  console.log(`  cold = no cached layer above the base (base present locally, not pulled); cached steps = "Using cache" / steps after FROM; the FROM-base build finds other users' layers`);
  console.log(`  machine: nproc ${availableParallelism()}, Node ${process.version}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`  load average (1/5/15 min) ${loadStart.map((x) => x.toFixed(1)).join('/')} at start, ${loadavg().map((x) => x.toFixed(1)).join('/')} at end — shared daemon and machine`);
} finally {
  await removeRepoImages().catch(() => undefined);
  for (const tag of aliases) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
  await rm(work, { recursive: true, force: true });
}
