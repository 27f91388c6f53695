import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readArtifact } from '../../shared/src/artifact/store.js';
import { readSplit } from '../../shared/src/data/splits.js';
import { silentLogger } from '../../shared/src/logger.js';
import { loadServedModel } from '../../shared/src/serve/served-model.js';
import { repoRoot, runAction } from '../helpers/run-action.js';
import { AUTH, AUTH_REGISTRY, BASE_IMAGE, dockerReady, REGISTRY, registryDigest } from '../helpers/services.js';

const present = await dockerReady();
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const run = Date.now().toString(36);
let work: string;
let dataset: string;
let modelA: string;
let modelB: string;
let built: Awaited<ReturnType<typeof runAction>>;
const containers: Docker.Container[] = [];

beforeAll(async () => {
  if (!present) return;
  work = await mkdtemp(join(tmpdir(), 'mlops-itg-image-'));
  const pre = await runAction('preprocess-data', { source: join(repoRoot, 'examples/digits/digits.csv'), label: 'digit', normalize: 'scale:16', output: work });
  dataset = pre.outputs.dataset;
  const mlp = join(repoRoot, 'examples/models/mlp.yaml');
  modelA = (await runAction('train-model', { dataset, model: mlp, epochs: 5, backend: 'wasm', output: join(work, 'a') })).outputs.model;
  modelB = (await runAction('train-model', { dataset, model: mlp, epochs: 5, seed: 7, backend: 'wasm', output: join(work, 'b') })).outputs.model;
  built = await runAction('build-image', { model: modelA, image: `${REGISTRY}/itg-${run}/digits`, 'base-image': BASE_IMAGE, dataset, output: work }, { env: { GITHUB_SHA: 'c0ffee0123456789abcdef0123456789abcdef01', GITHUB_REPOSITORY: 'acme/models', GITHUB_REF: 'refs/tags/v1.4.2' } });
}, 600_000);

afterAll(async () => {
  for (const c of containers) await c.remove({ force: true }).catch(() => undefined);
});

async function startContainer(image: string, env: string[] = []): Promise<string> {
  const c = await docker.createContainer({ Image: image, Env: env, HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } }, ExposedPorts: { '8080/tcp': {} } });
  containers.push(c);
  await c.start();
  const port = (await c.inspect()).NetworkSettings.Ports['8080/tcp']![0].HostPort;
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    if (await fetch(`${base}/v2/health/ready`).then((r) => r.ok, () => false)) return base;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`container ${image} never became ready`);
}

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe.runIf(present)('build-image on the real Docker Engine and registry', () => {
  test('builds, smoke-tests and pushes; the digest output is the registry digest; pulls back by digest', async () => {
    expect(built.errors).toEqual([]);
    expect(built.code).toBe(0);
    const repo = `${REGISTRY}/itg-${run}/digits`;
    expect(built.outputs.tags.split(',')).toEqual([`${repo}:1.4.2`, `${repo}:1.4`, `${repo}:1`, `${repo}:sha-c0ffee0`, expect.stringMatching(new RegExp(`^${repo}:model-[0-9a-f]{12}$`))]);
    const fromRegistry = await registryDigest(REGISTRY, `itg-${run}/digits`, '1.4.2');
    expect(built.outputs.digest).toBe(fromRegistry);
    expect(built.outputs.image).toBe(`${repo}@${fromRegistry}`);
    for (const tag of ['1.4', 'sha-c0ffee0']) expect(await registryDigest(REGISTRY, `itg-${run}/digits`, tag)).toBe(fromRegistry);
    expect(built.stdout).toMatch(/Smoke test passed: 16 examples from the test split of Dataset 'digits'/);

    // Pull it back by digest after deleting the local copy.
    for (const tag of built.outputs.tags.split(',')) await docker.getImage(tag).remove().catch(() => undefined);
    await new Promise<void>((done, fail) => docker.pull(built.outputs.image, (e: Error | null, s: NodeJS.ReadableStream) => (e ? fail(e) : docker.modem.followProgress(s, (err: Error | null) => (err ? fail(err) : done())))));
    const pulled = await docker.getImage(built.outputs.image).inspect();
    expect(pulled.RepoDigests).toContain(built.outputs.image);
    expect(pulled.Config.User).toBe('1000:1000');
    expect(pulled.Config.Healthcheck?.Test).toEqual(['CMD', 'node', '/app/healthcheck.js']);
    const labels = pulled.Config.Labels;
    const model = await readArtifact(modelA, { kind: 'Model' });
    expect(labels).toMatchObject({
      'org.opencontainers.image.source': 'https://github.com/acme/models',
      'org.opencontainers.image.revision': 'c0ffee0123456789abcdef0123456789abcdef01',
      'org.opencontainers.image.version': 'v1.4.2',
      'org.opencontainers.image.title': 'mlp',
      'dev.mlops-actions.model.digest': model.manifest.digest,
      'dev.mlops-actions.dataset.digest': model.manifest.inputs[0].digest,
    });
    expect(Date.parse(labels['org.opencontainers.image.created'])).toBeGreaterThan(0);

    const artifact = await readArtifact(built.outputs['container-image'], { kind: 'ContainerImage' });
    expect(artifact.manifest.inputs).toEqual([{ kind: 'Model', name: 'mlp', digest: model.manifest.digest }]);
    expect(artifact.manifest.spec).toMatchObject({ digest: fromRegistry, pushed: true, baseImage: BASE_IMAGE, smokeTest: { passed: true, examples: 16 } });
    expect(Number(built.outputs.size)).toBe(pulled.Size);
  });

  test('the running container answers OIP and TF Serving with the in-process predictions; bad requests get 400/404/413', async () => {
    const base = await startContainer(built.outputs.image, ['BODY_LIMIT=200000']);
    const ds = await readArtifact(dataset, { kind: 'Dataset' });
    const test = await readSplit(ds, 'test', { normalized: false });
    const rows = 5;
    const raw = test.features.slice(0, rows * 64);
    const local = await loadServedModel(modelA, { backend: 'wasm', logger: silentLogger });
    const expected = Array.from(await local.predict(raw, rows));
    local.dispose();

    const oip = await post(`${base}/v2/models/mlp/infer`, { id: 'r1', inputs: [{ name: 'input', shape: [rows, 64], datatype: 'FP32', data: Array.from(raw) }] });
    expect(oip.status).toBe(200);
    const oipBody = (await oip.json()) as { id: string; model_name: string; outputs: { name: string; shape: number[]; data: (number | string)[] }[] };
    expect(oipBody).toMatchObject({ id: 'r1', model_name: 'mlp', outputs: [{ name: 'probabilities', shape: [rows, 10] }, { name: 'label', shape: [rows] }] });
    (oipBody.outputs[0].data as number[]).forEach((p, i) => expect(p).toBeCloseTo(expected[i], 6));
    const labels = Array.from({ length: rows }, (_, r) => String(expected.slice(r * 10, r * 10 + 10).indexOf(Math.max(...expected.slice(r * 10, r * 10 + 10)))));
    expect(oipBody.outputs[1].data).toEqual(labels);

    const instances = Array.from({ length: rows }, (_, r) => Array.from(raw.slice(r * 64, (r + 1) * 64)));
    const tfs = (await (await post(`${base}/v1/models/mlp:predict`, { instances })).json()) as { predictions: { probabilities: number[]; class: string }[] };
    expect(tfs.predictions.map((p) => p.class)).toEqual(labels);
    tfs.predictions.flatMap((p) => p.probabilities).forEach((p, i) => expect(p).toBeCloseTo(expected[i], 6));
    const columns = (await (await post(`${base}/v1/models/mlp:predict`, { inputs: instances })).json()) as { outputs: { class: string[] } };
    expect(columns.outputs.class).toEqual(labels);
    expect(await (await fetch(`${base}/v1/models/mlp`)).json()).toEqual({ model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] });
    expect(await (await fetch(`${base}/v2/models/mlp`)).json()).toMatchObject({ name: 'mlp', inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 64] }] });

    const bad: [string, unknown, number, RegExp][] = [
      ['/v2/models/mlp/infer', { inputs: [{ name: 'input', shape: [1, 63], datatype: 'FP32', data: new Array(63).fill(0) }] }, 400, /shape \[1, 63\] does not fit model 'mlp', which expects \[n, 64\]/],
      ['/v2/models/mlp/infer', { inputs: [{ name: 'input', shape: [1, 64], datatype: 'BYTES', data: new Array(64).fill('a') }] }, 400, /datatype "BYTES" is not supported/],
      ['/v2/models/mlp/infer', { inputs: [{ name: 'input', shape: [1, 64], datatype: 'FP32', data: [...new Array(63).fill(0), 'x'] }] }, 400, /must hold numbers only; found "x"/],
      ['/v2/models/mlp/infer', '{not json', 400, /not valid JSON/],
      ['/v2/models/other/infer', { inputs: [] }, 404, /model 'other' is not served here; this server serves 'mlp'/],
      ['/v1/models/mlp:predict', { instances: [[1, 2]] }, 400, /instances\[0\] holds 2 values; model 'mlp' takes 64/],
      ['/v2/models/mlp/infer', { inputs: [{ name: 'input', shape: [4000, 64], datatype: 'FP32', data: new Array(4000 * 64).fill(1.5) }] }, 413, /over the limit of 200000 bytes/],
    ];
    for (const [path, body, status, message] of bad) {
      const r = await post(`${base}${path}`, body);
      expect(r.status, path).toBe(status);
      expect(((await r.json()) as { error: string }).error).toMatch(message);
    }
    // Still serving after all that.
    expect((await fetch(`${base}/v2/health/live`)).status).toBe(200);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/mlops_http_request_duration_seconds_bucket\{le="0\.005",route="infer"\} \d+/);
    expect(metrics).toMatch(/mlops_http_requests_total\{route="infer",code="400"\} 4/);
    expect(metrics).toMatch(/mlops_http_requests_total\{route="infer",code="413"\} 1/);
    expect(metrics).toMatch(/mlops_batch_size_count \d+/);
    expect(metrics).toMatch(/process_resident_memory_bytes \d+/);
  });

  test('a model-only rebuild reuses every earlier layer', async () => {
    // Build model A, then model B on the same engine (the pull-back test above may have removed A's build cache).
    const common = { image: `${REGISTRY}/itg-${run}/digits`, 'base-image': BASE_IMAGE, push: false, 'smoke-test': false };
    const a = await runAction('build-image', { ...common, model: modelA, tags: 'rebuild-a', output: join(work, 'rebuild-a') });
    const b = await runAction('build-image', { ...common, model: modelB, tags: 'rebuild-b', output: join(work, 'rebuild-b') });
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    const layersA = (await readArtifact(a.outputs['container-image'], { kind: 'ContainerImage' })).manifest.spec.layers;
    const layersB = (await readArtifact(b.outputs['container-image'], { kind: 'ContainerImage' })).manifest.spec.layers;
    expect(layersB).toHaveLength(layersA.length);
    expect(layersB.slice(0, -1)).toEqual(layersA.slice(0, -1));
    expect(layersB.at(-1)).not.toBe(layersA.at(-1));
    expect(b.stdout).toMatch(/COPY runtime\/ \/app\/\s+---> Using cache/);
    expect(b.outputs.digest).toBe('');
  });

  test('a failing smoke test fails the step, removes its container and pushes nothing', async () => {
    // A base image without Node: the server cannot start.
    const tar = pack();
    tar.entry({ name: 'etc/passwd' }, 'root:x:0:0::/:/bin/false\n');
    tar.finalize();
    await new Promise<void>((done, fail) => docker.importImage(tar as unknown as NodeJS.ReadableStream, { repo: "mlops-test/no-node", tag: run } as never, (e: Error | null, s?: NodeJS.ReadableStream) => (e ? fail(e) : docker.modem.followProgress(s!, (err: Error | null) => (err ? fail(err) : done())))));
    const before = (await docker.listContainers({ all: true, filters: { label: ['dev.mlops-actions.smoke-test=true'] } })).length;
    const r = await runAction('build-image', { model: modelA, image: `${REGISTRY}/itg-${run}/broken`, 'base-image': `mlops-test/no-node:${run}`, tags: 'v1', output: join(work, 'broken') });
    expect(r.code).not.toBe(0);
    expect(r.errors.join('\n')).toMatch(/Input 'smoke-test': smoke test: the container (exited with code \d+|could not start: .*"node": executable file not found)/);
    expect(await registryDigest(REGISTRY, `itg-${run}/broken`, 'v1')).toBe(404);
    expect((await docker.listContainers({ all: true, filters: { label: ['dev.mlops-actions.smoke-test=true'] } })).length).toBe(before);
  });

  test('pushes with credentials (masked); a wrong password fails naming the registry', async () => {
    const image = `${AUTH_REGISTRY}/itg-${run}/private`;
    const ok = await runAction('build-image', { model: modelA, image, 'base-image': BASE_IMAGE, tags: 'v1', 'smoke-test': false, username: AUTH.username, password: AUTH.password, output: join(work, 'auth') });
    expect(ok.errors).toEqual([]);
    expect(ok.stdout).toContain(`::add-mask::${AUTH.password}`);
    expect(ok.stdout.replace(`::add-mask::${AUTH.password}`, '')).not.toContain(AUTH.password);
    expect(ok.outputs.digest).toBe(await registryDigest(AUTH_REGISTRY, `itg-${run}/private`, 'v1', AUTH));
    const wrong = await runAction('build-image', { model: modelA, image, 'base-image': BASE_IMAGE, tags: 'v2', 'smoke-test': false, username: AUTH.username, password: 'not-it', output: join(work, 'auth2') });
    expect(wrong.code).not.toBe(0);
    expect(wrong.errors.join('\n')).toMatch(/Input 'registry': push of 127\.0\.0\.1:5001\/.*:v2 failed: .*(unauthorized|authentication required|no basic auth)/i);
  });

  test('a build error surfaces the failing step and the daemon message', async () => {
    const r = await runAction('build-image', { model: modelA, image: `${REGISTRY}/itg-${run}/nobase`, 'base-image': 'mlops-test/does-not-exist:1', 'smoke-test': false, push: false, output: join(work, 'nobase') });
    expect(r.code).not.toBe(0);
    expect(r.errors.join('\n')).toMatch(/Input 'base-image': docker build failed at Step 1\/\d+ : FROM mlops-test\/does-not-exist:1: .*(pull access denied|not found|no such host|dial tcp|connection refused|lookup)/i);
  });
});
