#!/usr/bin/env node
// bench/deploy: the simulated cluster's control-plane start time, and the time deploy-k8s takes
// from apply to rollout complete (kwok nodes), for a new Deployment and for an image update.
// Usage: node bench/deploy.mjs [runs=3] [replicas=3]. Needs scripts/services/k8s.sh install.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { median, root } from './stats.mjs';

const runs = Number(process.argv[2] || 3);
const replicas = Number(process.argv[3] || 3);
const k8s = join(root, 'scripts/services/k8s.sh');
const load = () => loadavg().map((x) => x.toFixed(1)).join('/');
const startLoad = load();

function timed(fn) {
  const t0 = process.hrtime.bigint();
  const out = fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, out };
}

// Control plane: stop, then a warm start (binaries and certificates exist; etcd data is fresh).
const starts = [];
for (let i = 0; i < runs; i++) {
  spawnSync('bash', [k8s, 'stop'], { stdio: 'ignore' });
  const r = timed(() => spawnSync('bash', [k8s, 'start'], { stdio: 'ignore' }));
  if (r.out.status !== 0) throw new Error('k8s.sh start failed');
  starts.push(r.seconds);
}

const kubeconfig = readFileSync('/var/cache/mlops-actions/k8s/admin.kubeconfig', 'utf8');
const work = mkdtempSync(join(tmpdir(), 'mlops-bench-deploy-'));
const image = (n) => `127.0.0.1:5000/bench/digits@sha256:${n.toString(16).padStart(64, 'b')}`;
function deploy(name, n) {
  return timed(() =>
    JSON.parse(
      execFileSync(process.execPath, [join(root, 'bin/mlops.js'), 'deploy-k8s', '--image', image(n), '--kubeconfig', kubeconfig, '--namespace', 'bench', '--create-namespace', '--name', name, '--replicas', String(replicas), '--output', work], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    ),
  );
}
const created = [];
const updated = [];
for (let i = 0; i < runs; i++) {
  const name = `bench-${Date.now().toString(36)}`;
  created.push(deploy(name, 2 * i + 1).seconds);
  updated.push(deploy(name, 2 * i + 2).seconds);
}
const fmt = (xs) => `median ${median(xs).toFixed(2)} s  (runs: ${xs.map((x) => x.toFixed(2)).join(', ')})`;
console.log(`deploy-k8s on the local control plane (kwok nodes), ${runs} runs, ${replicas} replicas, Node ${process.version}`);
console.log(`  control plane warm start (stop → apiserver ready, nodes Ready)  ${fmt(starts)}`);
console.log(`  new Deployment: CLI start → apply → rollout complete           ${fmt(created)}`);
console.log(`  image update:   CLI start → apply → rollout complete           ${fmt(updated)}`);
console.log(`  (CLI wall time includes Node start-up and the artifact write, about 0.3 s)`);
console.log(`  load average (1/5/15 min) ${startLoad} at start, ${load()} at end`);
