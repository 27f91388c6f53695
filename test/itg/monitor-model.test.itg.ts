import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readArtifact } from '../../shared/src/artifact/store.js';
import { repoRoot, runAction } from '../helpers/run-action.js';
import { BASE_IMAGE, dockerReady } from '../helpers/services.js';

const present = await dockerReady();
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const run = Date.now().toString(36);
let work: string;
let dataset: string;
let model: string;
let image: string;
const containers: Docker.Container[] = [];
const servers: Server[] = [];

async function startContainer(options: { entrypoint?: string[] } = {}): Promise<{ id: string; url: string }> {
  const c = await docker.createContainer({ Image: image, ...(options.entrypoint ? { Entrypoint: options.entrypoint } : {}), HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } }, ExposedPorts: { '8080/tcp': {} } });
  containers.push(c);
  await c.start();
  const url = `http://127.0.0.1:${(await c.inspect()).NetworkSettings.Ports['8080/tcp']![0].HostPort}`;
  for (let i = 0; i < 150 && !(await fetch(`${url}/v2/health/ready`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 200));
  return { id: c.id, url };
}

/** A fault-injecting proxy in front of the real server: delays, or answers 503 to a share of inference requests. */
async function faultyProxy(upstream: string, fault: { delayMs?: number; errorEvery?: number }): Promise<string> {
  const up = new URL(upstream);
  let n = 0;
  const server = createServer((req, res) => {
    const infer = req.url?.endsWith('/infer');
    if (infer && fault.errorEvery && ++n % fault.errorEvery === 0) {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"injected"}');
      return;
    }
    setTimeout(() => {
      const forward = request({ host: up.hostname, port: up.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      forward.on('error', () => res.writeHead(502).end());
      req.pipe(forward);
    }, infer ? (fault.delayMs ?? 0) : 0);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  if (!present) return;
  work = await mkdtemp(join(tmpdir(), 'mlops-itg-monitor-'));
  dataset = (await runAction('preprocess-data', { source: join(repoRoot, 'examples/digits/digits.csv'), label: 'digit', normalize: 'scale:16', output: work })).outputs.dataset;
  model = (await runAction('train-model', { dataset, model: join(repoRoot, 'examples/models/mlp.yaml'), epochs: 3, backend: 'wasm', output: work })).outputs.model;
  const built = await runAction('build-image', { model, image: `127.0.0.1:5000/itg-mon-${run}/digits`, 'base-image': BASE_IMAGE, push: false, 'smoke-test': false, output: work });
  expect(built.errors).toEqual([]);
  image = built.outputs.image;
}, 600_000);

afterAll(async () => {
  for (const c of containers) await c.remove({ force: true }).catch(() => undefined);
  for (const s of servers) s.close();
});

const monitor = (inputs: Record<string, string | boolean>) => runAction('monitor-model', { model, dataset, duration: '3s', connections: 4, output: join(work, 'reports', String(Math.random()).slice(2)), ...inputs });

describe.runIf(present)('monitor-model against the real serving container', () => {
  test('a healthy server passes its SLOs; the report has client, server, prediction and log figures', async () => {
    const { id } = await startContainer();
    const r = await monitor({ target: id, slo: 'p95_latency_ms <= 2000\nerror_rate <= 0.01\nthroughput_rps >= 5\nprediction_mismatch_rate <= 0\nmemory_mb <= 1024\nlog_errors <= 0\nrestarts <= 0' });
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.outputs.passed).toBe('true');
    expect(Number(r.outputs.rps)).toBeGreaterThan(5);
    expect(Number(r.outputs['error-rate'])).toBe(0);
    const report = await readArtifact(r.outputs.report, { kind: 'MonitoringReport' });
    const s = report.manifest.spec;
    expect(s.client.requests).toBeGreaterThan(10);
    expect(s.server?.requests).toBe(s.client.requests + (s.sanity ? 1 : 0) - (s.sanity ? 1 : 0));
    expect(s.server?.p95LatencyMs).toBeGreaterThan(0);
    expect(s.server?.meanBatchSize).toBeGreaterThanOrEqual(1);
    expect(s.sanity).toMatchObject({ examples: 32, mismatches: 0 });
    expect(s.logs?.byLevel.info).toBeGreaterThanOrEqual(s.client.requests);
    expect(s.slo.every((x) => x.passed)).toBe(true);
    expect(report.manifest.inputs.map((i) => i.kind)).toContain('Model');
    expect(r.summary).toMatch(/### ✅ Model monitoring: mlp/);
  });

  test('a slow server breaches its latency SLO with the observed value and the limit', async () => {
    const { url } = await startContainer();
    const slow = await faultyProxy(url, { delayMs: 120 });
    const r = await monitor({ target: slow, slo: 'p95_latency_ms <= 50\nerror_rate <= 0.01' });
    expect(r.code).not.toBe(0);
    expect(r.outputs.passed).toBe('false');
    const errors = r.errors.join('\n');
    const observed = Number(/BREACH p95_latency_ms ([\d.]+) exceeds the limit 50 \(<= 50\)/.exec(errors)?.[1]);
    expect(observed).toBeGreaterThanOrEqual(120); // the injected delay
    expect(errors).toMatch(/SLO breached: p95_latency_ms .* exceeds the limit 50/);
    expect(errors).not.toMatch(/BREACH error_rate/);
  });

  test('a server answering errors breaches its error-rate SLO; fail-on-breach false only reports', async () => {
    const { url } = await startContainer();
    const flaky = await faultyProxy(url, { errorEvery: 5 });
    const r = await monitor({ target: flaky, slo: 'error_rate <= 0.01', 'fail-on-breach': false });
    expect(r.code).toBe(0);
    expect(r.outputs.passed).toBe('false');
    expect(Number(r.outputs['error-rate'])).toBeCloseTo(0.2, 1);
    expect(r.errors.join('\n')).toMatch(/BREACH error_rate 0\.\d+ exceeds the limit 0\.01 \(<= 0\.01\)/);
    const s = (await readArtifact(r.outputs.report, { kind: 'MonitoringReport' })).manifest.spec;
    expect(s.client.codes['503']).toBeGreaterThan(0);
  });

  test('errors a container logged are counted, grouped and reported', async () => {
    const script = [
      "for (let i = 0; i < 3; i++) console.log(JSON.stringify({ level: 'error', msg: `feature store timeout after ${100 + i} ms`, time: new Date().toISOString() }));",
      "console.log(JSON.stringify({ level: 'fatal', msg: 'GPU lost' }));",
      "console.error('plain text: connection reset by peer (error)');",
      "process.argv = [process.argv[0], '/app/lib/serve.js', '--model', '/app/model'];",
      "await import('/app/lib/serve.js');",
    ].join('\n');
    const { id } = await startContainer({ entrypoint: ['node', '--input-type=module', '-e', script] });
    const r = await monitor({ target: id, slo: 'log_errors <= 0', 'fail-on-breach': false });
    expect(r.errors.filter((e) => !e.startsWith('BREACH'))).toEqual([]);
    const logs = (await readArtifact(r.outputs.report, { kind: 'MonitoringReport' })).manifest.spec.logs!;
    expect(logs.byLevel).toMatchObject({ error: 4, fatal: 1 });
    expect(logs.topErrors[0]).toMatchObject({ pattern: 'feature store timeout after <n> ms', count: 3, first: expect.stringMatching(/^\d{4}-/), last: expect.stringMatching(/^\d{4}-/) });
    expect(r.errors.join('\n')).toMatch(/BREACH log_errors 5 exceeds the limit 0/);
    expect(r.summary).toMatch(/\|\s*3 \| feature store timeout after \\<n\\> ms\s*\|/);

    // The report renders in post-metrics-comment.
    const c = await runAction('post-metrics-comment', { report: r.outputs.report, mode: 'summary', output: join(work, 'md') });
    expect(c.errors).toEqual([]);
    expect(c.summary).toMatch(/<!-- mlops-actions:post-metrics-comment marker=mlops-monitoring:mlp -->\n### 🚨 Model monitoring: mlp/);
    expect(c.summary).toContain('**SLO breached**: 1 of 1 rules.');
  });

  test('fails closed on an unknown SLO metric, before sending any load', async () => {
    const r = await monitor({ target: 'http://127.0.0.1:9', slo: 'p95_latncy_ms <= 50' });
    expect(r.code).not.toBe(0);
    expect(r.errors.join('\n')).toMatch(/Input 'slo': line 1 'p95_latncy_ms <= 50': there is no metric 'p95_latncy_ms' \(did you mean 'p95_latency_ms'\?\); the SLO metrics are: p50_latency_ms, /);
  });
});
