import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, test } from 'vitest';
import { readArtifact, writeArtifact } from '../../shared/src/artifact/store.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot, runAction } from '../helpers/run-action.js';
import { fakeImage, k8sReady } from '../helpers/k8s.js';

const cluster = await k8sReady();
const run = Date.now().toString(36);
const ns = `itg-${run}`;
const repo = '127.0.0.1:5000/itg/digits';
let work: string;
let apps: k8s.AppsV1Api;
let core: k8s.CoreV1Api;
let imageArtifact: string;
const modelDigest = `sha256:${'e'.repeat(64)}`;

beforeAll(async () => {
  if (!cluster) return;
  work = await mkdtemp(join(tmpdir(), 'mlops-itg-deploy-'));
  apps = cluster.kc.makeApiClient(k8s.AppsV1Api);
  core = cluster.kc.makeApiClient(k8s.CoreV1Api);
  // A ContainerImage artifact as build-image writes it (the image itself is never pulled: kwok runs no containers).
  imageArtifact = join(work, 'digits-image');
  await writeArtifact(imageArtifact, { kind: 'ContainerImage', name: 'digits-image', inputs: [{ kind: 'Model', name: 'digits', digest: modelDigest }], producer: { action: 'build-image', version: '0.1.0', via: 'library' } }, async () => ({
    repository: repo,
    image: fakeImage(repo, 1),
    digest: fakeImage(repo, 1).split('@')[1],
    tags: [`${repo}:v1`],
    pushed: true,
    size: 1,
    layers: [],
    baseImage: 'node:24-slim',
    labels: {},
    model: { name: 'digits', digest: modelDigest },
    smokeTest: { passed: false, skipped: true },
  }));
});

const deploy = (inputs: Record<string, string | number | boolean>, kubeconfig = cluster!.content) =>
  runAction('deploy-k8s', { kubeconfig, namespace: ns, name: 'digits', timeout: '60s', output: join(work, 'out'), ...inputs }, { env: { GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567', GITHUB_RUN_ID: '99', GITHUB_REPOSITORY: 'acme/models', RUNNER_TEMP: join(work, 'runner-temp') } });

const readDeployment = (name = 'digits') => apps.readNamespacedDeployment({ name, namespace: ns });
const imageOf = (d: k8s.V1Deployment) => d.spec!.template.spec!.containers[0].image;

describe.runIf(cluster)('deploy-k8s against a real control plane (kwok nodes)', () => {
  test('first deploy: secure manifests, annotations, service, rollout; cluster state read back', async () => {
    await mkdir(join(work, 'runner-temp'), { recursive: true });
    const r = await deploy({ image: imageArtifact, 'create-namespace': true, replicas: 2 });
    expect(r.errors).toEqual([]);
    expect(r.outputs).toMatchObject({ status: 'deployed', revision: '1', url: `http://digits.${ns}.svc.cluster.local` });
    expect(r.stdout).toMatch(/digits: 2\/2 updated, 2 ready, 2 available \(revision 1\)/);
    const d = await readDeployment();
    expect(d.status?.availableReplicas).toBe(2);
    expect(imageOf(d)).toBe(fakeImage(repo, 1));
    const pod = d.spec!.template.spec!;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.containers[0].readinessProbe?.httpGet?.path).toBe('/v2/health/ready');
    expect(pod.containers[0].livenessProbe?.httpGet?.path).toBe('/v2/health/live');
    expect(pod.volumes?.[0]).toMatchObject({ name: 'tmp', emptyDir: {} });
    expect(d.spec!.template.metadata!.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080' });
    expect(d.metadata!.annotations).toMatchObject({
      'mlops-actions.dev/model-digest': modelDigest,
      'mlops-actions.dev/image-digest': fakeImage(repo, 1).split('@')[1],
      'mlops-actions.dev/commit': '0123456789abcdef0123456789abcdef01234567',
      'mlops-actions.dev/run-url': 'https://github.com/acme/models/actions/runs/99',
    });
    expect(d.metadata!.managedFields?.some((f) => f.manager === 'mlops-actions' && f.operation === 'Apply')).toBe(true);
    const svc = await core.readNamespacedService({ name: 'digits', namespace: ns });
    expect(svc.spec?.selector).toEqual({ 'app.kubernetes.io/name': 'digits' });
    const artifact = await readArtifact(r.outputs.deployment, { kind: 'Deployment' });
    expect(artifact.manifest.inputs.map((i) => i.kind)).toEqual(['ContainerImage', 'Model']);
    expect(artifact.manifest.spec).toMatchObject({ namespace: ns, name: 'digits', image: fakeImage(repo, 1) });
    // The kubeconfig never stays on disk and never reaches the log.
    expect(readdirSync(join(work, 'runner-temp')).filter((f) => f.startsWith('mlops-kube-'))).toEqual([]);
    expect(r.stdout).toContain('::add-mask::');
    expect(r.stdout.replace(/::add-mask::.*\n/g, '')).not.toMatch(/client-key-data|BEGIN (RSA |EC )?PRIVATE KEY/);
  });

  test('update to a new image: revision 2, pods replaced', async () => {
    const r = await deploy({ image: fakeImage(repo, 2) });
    expect(r.errors).toEqual([]);
    expect(r.outputs).toMatchObject({ status: 'deployed', revision: '2' });
    const d = await readDeployment();
    expect(imageOf(d)).toBe(fakeImage(repo, 2));
    const pods = (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/name=digits' })).items.filter((p) => !p.metadata?.deletionTimestamp);
    expect(pods.map((p) => p.spec!.containers[0].image)).toEqual([fakeImage(repo, 2), fakeImage(repo, 2)]);
  });

  test('a failed rollout is diagnosed and rolled back to the previous revision', async () => {
    // Four GPUs per pod: no simulated node has them, so the new pods are never scheduled.
    const r = await deploy({ image: fakeImage(repo, 3), gpu: 4, timeout: '20s' });
    expect(r.code).not.toBe(0);
    const message = r.errors.join('\n');
    expect(message).toMatch(/the rollout of itg-[a-z0-9]+\/digits \(revision 3\) failed: the rollout did not finish before the timeout \(20s\): 0 of 2 replicas of the new revision became ready/);
    expect(message).toMatch(/rolled back to revision 2 \(127\.0\.0\.1:5000\/itg\/digits@sha256:a+2\), now revision 4/);
    expect(r.stdout).toMatch(/is not scheduled \(Unschedulable\): .*nvidia\.com\/gpu/);
    expect(r.outputs).toMatchObject({ status: 'rolled-back', revision: '4' });
    const d = await readDeployment();
    expect(imageOf(d)).toBe(fakeImage(repo, 2));
    expect(d.metadata!.annotations!['deployment.kubernetes.io/revision']).toBe('4');
    expect(d.status?.availableReplicas).toBe(2);
    expect(d.spec!.template.spec!.containers[0].resources?.limits?.['nvidia.com/gpu']).toBeUndefined();
  });

  test('canary: deploy beside stable, promote; then abort another canary', async () => {
    const c = await deploy({ image: fakeImage(repo, 4), strategy: 'canary', 'canary-replicas': 1 });
    expect(c.errors).toEqual([]);
    expect(c.outputs.status).toBe('canary');
    const canary = await readDeployment('digits-canary');
    expect(imageOf(canary)).toBe(fakeImage(repo, 4));
    expect(canary.spec?.replicas).toBe(1);
    expect(imageOf(await readDeployment())).toBe(fakeImage(repo, 2));
    const svc = await core.readNamespacedService({ name: 'digits', namespace: ns });
    const behindService = (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/name=digits' })).items.filter((p) => !p.metadata?.deletionTimestamp);
    expect(new Set(behindService.map((p) => p.spec!.containers[0].image))).toEqual(new Set([fakeImage(repo, 2), fakeImage(repo, 4)]));
    expect(svc.spec?.selector).toEqual({ 'app.kubernetes.io/name': 'digits' });

    const p = await deploy({ image: fakeImage(repo, 4), strategy: 'canary', action: 'promote' });
    expect(p.errors).toEqual([]);
    expect(p.outputs.status).toBe('promoted');
    expect(imageOf(await readDeployment())).toBe(fakeImage(repo, 4));
    await expect(readDeployment('digits-canary')).rejects.toMatchObject({ code: 404 });

    await deploy({ image: fakeImage(repo, 5), strategy: 'canary' });
    expect(imageOf(await readDeployment('digits-canary'))).toBe(fakeImage(repo, 5));
    const a = await deploy({ image: fakeImage(repo, 5), strategy: 'canary', action: 'abort' });
    expect(a.errors).toEqual([]);
    expect(a.outputs.status).toBe('aborted');
    await expect(readDeployment('digits-canary')).rejects.toMatchObject({ code: 404 });
    expect(imageOf(await readDeployment())).toBe(fakeImage(repo, 4));
  });

  test("the user's manifests with the image substituted wherever its repository appears", async () => {
    const file = join(work, 'manifests', 'app.yaml');
    await mkdir(join(work, 'manifests'), { recursive: true });
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'custom' }, spec: { replicas: 1, selector: { matchLabels: { app: 'custom' } }, template: { metadata: { labels: { app: 'custom' } }, spec: { initContainers: [{ name: 'warm', image: `${repo}:latest` }], containers: [{ name: 'server', image: `${repo}:latest` }, { name: 'sidecar', image: 'example.invalid/other:1' }] } } } };
    const config = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'custom-config' }, data: { model: 'digits' } };
    await writeFile(file, `${stringify(deployment)}---\n${stringify(config)}`);
    const r = await deploy({ image: fakeImage(repo, 6), manifests: join(work, 'manifests', '*.yaml') });
    expect(r.errors).toEqual([]);
    const d = await readDeployment('custom');
    expect(d.spec!.template.spec!.containers.map((c) => c.image)).toEqual([fakeImage(repo, 6), 'example.invalid/other:1']);
    expect(d.spec!.template.spec!.initContainers![0].image).toBe(fakeImage(repo, 6));
    expect((await core.readNamespacedConfigMap({ name: 'custom-config', namespace: ns })).data).toEqual({ model: 'digits' });
  });

  test('pods that never become ready (a kwok stage) are named as the cause, and the rollback restores the last good revision', async () => {
    const dir = join(work, 'never-ready');
    await mkdir(dir, { recursive: true });
    const manifest = (labels: Record<string, string>) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'stuck' },
      spec: { replicas: 2, progressDeadlineSeconds: 10, selector: { matchLabels: { app: 'stuck' } }, template: { metadata: { labels: { app: 'stuck', ...labels } }, spec: { containers: [{ name: 'server', image: `${repo}:latest` }] } } },
    });
    await writeFile(join(dir, 'good.yaml'), stringify(manifest({})));
    // kwok's stage for this label keeps the pod Running but never Ready (scripts/services/k8s.sh).
    await writeFile(join(dir, 'bad.yaml'), stringify(manifest({ 'stage.mlops-actions/never-ready': 'true' })));
    const good = await deploy({ image: fakeImage(repo, 30), manifests: join(dir, 'good.yaml') });
    expect(good.errors).toEqual([]);
    const bad = await deploy({ image: fakeImage(repo, 31), manifests: join(dir, 'bad.yaml') });
    expect(bad.code).not.toBe(0);
    const message = bad.errors.join('\n');
    expect(message).toMatch(/the rollout of itg-[a-z0-9]+\/stuck \(revision 2\) failed: the rollout exceeded its progress deadline \(10s\)/);
    expect(bad.stdout).toMatch(/pod stuck-[a-z0-9]+-[a-z0-9]+ never became ready/);
    expect(message).toMatch(/rolled back to revision 1 \(127\.0\.0\.1:5000\/itg\/digits@sha256:a+1e\), now revision 3/);
    const d = await readDeployment('stuck');
    expect(imageOf(d)).toBe(fakeImage(repo, 30));
    expect(d.spec!.template.metadata!.labels!['stage.mlops-actions/never-ready']).toBeUndefined();
    expect(d.status?.availableReplicas).toBe(2);
  });

  test('a service account without rights gets the forbidden verb and resource named', async () => {
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'no-rights' } } });
    const token = await core.createNamespacedServiceAccountToken({ name: 'no-rights', namespace: ns, body: { spec: { audiences: [], expirationSeconds: 600 } } });
    const admin = cluster!.kc;
    const limited = stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'local', cluster: { server: admin.getCurrentCluster()!.server, 'certificate-authority-data': admin.getCurrentCluster()!.caData } }],
      users: [{ name: 'no-rights', user: { token: token.status!.token } }],
      contexts: [{ name: 'limited', context: { cluster: 'local', user: 'no-rights', namespace: ns } }],
      'current-context': 'limited',
    });
    const r = await deploy({ image: fakeImage(repo, 7) }, limited);
    expect(r.code).not.toBe(0);
    expect(r.errors.join('\n')).toMatch(new RegExp(`Input 'kubeconfig': Kubernetes refused to apply Deployment ${ns}/digits \\(403 Forbidden\\): deployments.apps "digits" is forbidden: User "system:serviceaccount:${ns}:no-rights" cannot patch resource "deployments" in API group "apps" in the namespace "${ns}"`));
    expect(r.stdout).toContain(`::add-mask::${token.status!.token!}`); // the runner hides it from here on
    expect(r.stdout.replace(/::add-mask::.*\n/g, '')).not.toContain(token.status!.token!);
    expect(imageOf(await readDeployment())).toBe(fakeImage(repo, 4));
  });

  test.each([
    ['not YAML', 'clusters: [\n  - name: x\n  bad', /Input 'kubeconfig': is not valid YAML \(line \d+\); pass the whole kubeconfig file content\./],
    ['not a kubeconfig', 'apiVersion: v1\nkind: Pod\n', /Input 'kubeconfig': is not a kubeconfig: it needs clusters, contexts and users lists/],
  ])('a malformed kubeconfig (%s) is a clear error that does not echo it', async (_what, content, message) => {
    const r = await deploy({ image: fakeImage(repo, 8) }, content);
    expect(r.code).not.toBe(0);
    expect(r.errors.join('\n')).toMatch(message);
    expect(r.errors.join('\n')).not.toContain('bad');
  });

  test('monitor-model rolls the Deployment back when its SLO is breached', async () => {
    // Two revisions to go between, then a monitoring run whose SLO cannot hold.
    const first = await deploy({ image: fakeImage(repo, 20), name: 'watched', replicas: 1 });
    const second = await deploy({ image: fakeImage(repo, 21), name: 'watched', replicas: 1 });
    expect([first.outputs.revision, second.outputs.revision]).toEqual(['1', '2']);
    // kwok runs no containers, so the load goes to the same model server run locally (url).
    const pre = await runAction('preprocess-data', { source: join(repoRoot, 'examples/digits/digits.csv'), label: 'digit', normalize: 'scale:16', output: work });
    const model = (await runAction('train-model', { dataset: pre.outputs.dataset, model: join(repoRoot, 'examples/models/mlp.yaml'), epochs: 1, backend: 'wasm', output: work })).outputs.model;
    const server: ChildProcess = spawn(process.execPath, [join(repoRoot, 'lib/serve.js'), '--model', model, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const url = await new Promise<string>((done) => server.stdout!.on('data', (d) => { const m = /"url":"([^"]+)"/.exec(String(d)); if (m) done(m[1]); }));
      const r = await runAction('monitor-model', { target: second.outputs.deployment, url, model, duration: '2s', slo: 'p95_latency_ms <= 0.001', 'rollback-on-breach': true, kubeconfig: cluster!.content, output: join(work, 'monitor') });
      expect(r.code).not.toBe(0);
      expect(r.errors.join('\n')).toMatch(/SLO breached: p95_latency_ms [\d.]+ exceeds the limit 0\.001 \(<= 0\.001\); rolled back to revision 1/);
      const d = await readDeployment('watched');
      expect(imageOf(d)).toBe(fakeImage(repo, 20));
      expect(d.metadata!.annotations!['deployment.kubernetes.io/revision']).toBe('3');
      const report = await readArtifact(r.outputs.report, { kind: 'MonitoringReport' });
      expect(report.manifest.spec.rollback).toEqual({ toRevision: '1', image: fakeImage(repo, 20) });
      expect(report.manifest.inputs[0]).toMatchObject({ kind: 'Deployment', name: 'watched-deployment' });
    } finally {
      server.kill();
    }
  });

  test('a tag instead of a digest is refused', async () => {
    const r = await deploy({ image: `${repo}:latest` });
    expect(r.errors.join('\n')).toMatch(/Input 'image': '127\.0\.0\.1:5000\/itg\/digits:latest' is a tag; pass the image by digest/);
    expect(existsSync(join(work, 'out', 'digits-deployment'))).toBe(true); // from earlier runs, untouched
  });
});
