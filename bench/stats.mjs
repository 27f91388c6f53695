// Small helpers for the bench scripts: medians of repeated runs, a child run with its figures.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `node bench/measure.mjs <script> ...args` and returns its stdout and measured figures. */
export function measure(script, args, env = {}) {
  const r = spawnSync(process.execPath, [join(root, 'bench/measure.mjs'), script, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = r.stderr.split('\n').find((l) => l.startsWith('bench:'));
  if (r.status !== 0 || !line) throw new Error(`${script} failed (${r.status}):\n${r.stderr}`);
  return { stdout: r.stdout, ...JSON.parse(line.slice(6)) };
}
