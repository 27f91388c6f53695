import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { V1Deployment } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { describeProducer } from '../artifact/producer.js';
import type { ArtifactManifest, LineageEntry } from '../artifact/schema.js';
import { lineageOf, writeArtifact } from '../artifact/store.js';
import { requireRunner, resolveArtifactInput, uploadWorkflowArtifact } from '../artifact/transfer.js';
import { ConfigurationError } from '../errors.js';
import type { StageContext } from '../runtime/stage.js';
import { loadKubeConfig } from './kubeconfig.js';
import { apply, connect, explainKubeError, removeObject, statusOf, type Kube } from './kube.js';
import { ANNOTATION, deploymentManifest, deploymentName, imageRepository, ingressManifest, namespaceManifest, serviceManifest, substituteImage } from './manifests.js';
import { REVISION, rollBack, waitForRollout } from './rollout.js';

export const STRATEGIES = ['rolling', 'canary'] as const;
export const DEPLOY_ACTIONS = ['deploy', 'promote', 'abort'] as const;
export const EXPOSE = ['none', 'ClusterIP', 'LoadBalancer'] as const;

export interface DeployOptions {
  image: string;
  kubeconfig: string;
  context: string;
  namespace: string;
  createNamespace: boolean;
  name: string;
  replicas: number;
  resources?: Record<string, unknown>;
  gpu: number;
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
  strategy: (typeof STRATEGIES)[number];
  canaryReplicas: number;
  action: (typeof DEPLOY_ACTIONS)[number];
  manifests: string[];
  expose: (typeof EXPOSE)[number];
  ingressHost: string;
  port: number;
  timeoutMs: number;
  rollbackOnFailure: boolean;
  podLabels?: Record<string, string>;
  output: string;
  upload: boolean;
}

export type DeployStatus = 'deployed' | 'canary' | 'promoted' | 'aborted' | 'rolled-back' | 'failed';

export interface DeployResult {
  path?: string;
  artifact?: ArtifactManifest<'Deployment'>;
  status: DeployStatus;
  revision: string;
  url: string;
  image: string;
  failure?: string;
  uploaded?: string;
}

/** The image to deploy, from a ContainerImage artifact or a `repo@sha256:…` reference. */
async function resolveImage(options: DeployOptions, context: StageContext): Promise<{ image: string; lineage: LineageEntry[]; model?: { name: string; digest: string }; name: string }> {
  if (/^[^\s@]+@sha256:[0-9a-f]{64}$/.test(options.image)) {
    const repo = imageRepository(options.image);
    return { image: options.image, lineage: [], name: repo.split('/').pop()! };
  }
  const { existsSync } = await import('node:fs');
  if (!options.image.startsWith('artifact:') && !existsSync(options.image) && /^[a-z0-9.-]+(:\d+)?\/[^\s@]+:[\w.-]+$/.test(options.image)) {
    // A tag can move; deploying by digest is what makes rollouts and rollbacks exact.
    throw new ConfigurationError(`'${options.image}' is a tag; pass the image by digest (repo@sha256:…, build-image's image output) or a ContainerImage artifact.`, { input: 'image' });
  }
  const artifact = await resolveArtifactInput(options.image, { kind: 'ContainerImage', input: 'image', logger: context.logger, env: context.env });
  const spec = artifact.manifest.spec;
  if (!spec.digest) throw new ConfigurationError(`ContainerImage '${artifact.manifest.name}' was not pushed (no registry digest); build it with push: true.`, { input: 'image' });
  return { image: `${spec.repository}@${spec.digest}`, lineage: [lineageOf(artifact.manifest), { kind: 'Model', name: spec.model.name, digest: spec.model.digest }], model: spec.model, name: spec.model.name };
}

async function loadUserManifests(patterns: string[], repository: string, image: string, namespace: string): Promise<Record<string, unknown>[]> {
  const { glob } = await import('node:fs/promises');
  const docs: Record<string, unknown>[] = [];
  for (const pattern of patterns) {
    const files: string[] = [];
    for await (const f of glob(pattern)) files.push(f as string);
    if (!files.length) throw new ConfigurationError(`'${pattern}' matches no file.`, { input: 'manifests' });
    for (const file of files.sort()) {
      const parsed = parseAllDocuments(await readFile(file, 'utf8'));
      for (const doc of parsed) {
        if (doc.errors.length) throw new ConfigurationError(`${file}: ${doc.errors[0].message.split('\n')[0]}`, { input: 'manifests' });
        const object = doc.toJS() as Record<string, unknown> | null;
        if (!object) continue;
        if (!object.apiVersion || !object.kind || !(object.metadata as { name?: string } | undefined)?.name) {
          throw new ConfigurationError(`${file}: every document needs apiVersion, kind and metadata.name.`, { input: 'manifests' });
        }
        const meta = object.metadata as { namespace?: string };
        if (!meta.namespace && object.kind !== 'Namespace') meta.namespace = namespace;
        substituteImage(object, repository, image);
        docs.push(object);
      }
    }
  }
  return docs;
}

function parseDuration(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)}m` : `${Math.round(ms / 1000)}s`;
}

/**
 * deploy-k8s's core: server-side applies the model server (or the user's manifests with the
 * image substituted), waits for the rollout, diagnoses and rolls back a failed one, runs
 * canaries (deploy, promote, abort), and writes a Deployment artifact with lineage.
 */
export async function deployK8s(options: DeployOptions, context: StageContext): Promise<DeployResult> {
  const { logger, env } = context;
  if (options.upload) requireRunner(env, 'upload', 'upload: true');
  const resolved = await resolveImage(options, context);
  const name = options.name || resolved.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new ConfigurationError(`'${name}' is not a valid Kubernetes name (lower-case letters, digits and '-').`, { input: 'name' });
  const kc = await loadKubeConfig(options.kubeconfig, options.context, env);
  const kube = await connect(kc);
  const ns = options.namespace;
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const annotations: Record<string, string> = {
    [`${ANNOTATION}/image`]: resolved.image,
    [`${ANNOTATION}/image-digest`]: resolved.image.split('@')[1] ?? '',
    ...(resolved.model ? { [`${ANNOTATION}/model`]: resolved.model.name, [`${ANNOTATION}/model-digest`]: resolved.model.digest } : {}),
    ...(env.GITHUB_SHA ? { [`${ANNOTATION}/commit`]: env.GITHUB_SHA } : {}),
    ...(env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY ? { [`${ANNOTATION}/run-url`]: `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` } : {}),
  };
  const workload = (track: 'stable' | 'canary', image: string, replicas: number) =>
    deploymentManifest({ name, namespace: ns, image, replicas, port: options.port, resources: options.resources, gpu: options.gpu, nodeSelector: options.nodeSelector, tolerations: options.tolerations, annotations: { ...annotations, [`${ANNOTATION}/image`]: image }, track, podLabels: options.podLabels });
  const url = () => `http://${name}.${ns}.svc.cluster.local${options.expose === 'none' ? ':' + options.port : ''}`;

  if (options.createNamespace) await apply(kube, namespaceManifest(ns));
  else {
    try {
      await kube.core.readNamespace({ name: ns });
    } catch (error) {
      if (statusOf(error) === 404) throw new ConfigurationError(`namespace '${ns}' does not exist; create it or set create-namespace: true.`, { input: 'namespace' });
      if (statusOf(error) !== 403) throw explainKubeError(error, `get namespace ${ns}`);
      // May not read namespaces but may deploy into this one: carry on.
    }
  }

  let status: DeployStatus;
  let target: string; // the Deployment whose rollout decides the outcome
  let desired: V1Deployment | undefined;
  const expose = async () => {
    if (options.expose !== 'none') await apply(kube, serviceManifest({ name, namespace: ns, port: options.port, type: options.expose as 'ClusterIP' | 'LoadBalancer', annotations }));
    if (options.ingressHost) await apply(kube, ingressManifest({ name, namespace: ns, host: options.ingressHost }) as never);
  };

  if (options.manifests.length) {
    const docs = await loadUserManifests(options.manifests, imageRepository(resolved.image), resolved.image, ns);
    await logger.group(`Apply ${docs.length} manifests with image ${resolved.image}`, async () => {
      for (const doc of docs) {
        await apply(kube, doc as never);
        logger.info(`applied ${doc.kind} ${(doc.metadata as { name: string }).name}`);
      }
    });
    const deployments = docs.filter((d) => d.kind === 'Deployment');
    for (const d of deployments) {
      const outcome = await waitForRollout(kube, (d.metadata as { name: string }).name, ns, { timeoutMs: options.timeoutMs, logger });
      if (!outcome.ok) return fail((d.metadata as { name: string }).name, outcome.causes, d as V1Deployment, outcome.revision);
    }
    target = (deployments[0]?.metadata as { name: string } | undefined)?.name ?? name;
    status = 'deployed';
  } else if (options.strategy === 'canary' && options.action === 'deploy') {
    desired = workload('canary', resolved.image, options.canaryReplicas);
    await logger.group(`Canary ${deploymentName(name, 'canary')}: ${options.canaryReplicas} replicas of ${resolved.image}`, async () => {
      await apply(kube, desired!);
      await expose();
    });
    target = deploymentName(name, 'canary');
    status = 'canary';
  } else if (options.strategy === 'canary' && options.action === 'abort') {
    const removed = await removeObject(kube, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: deploymentName(name, 'canary'), namespace: ns } });
    logger.info(removed ? `Removed the canary ${deploymentName(name, 'canary')}; ${name} is untouched.` : `No canary ${deploymentName(name, 'canary')} to remove.`);
    target = name;
    status = 'aborted';
  } else {
    desired = workload('stable', resolved.image, options.replicas);
    await logger.group(`Deploy ${ns}/${name}: ${options.replicas} replicas of ${resolved.image} (timeout ${parseDuration(options.timeoutMs)})`, async () => {
      await apply(kube, desired!);
      await expose();
    });
    target = name;
    status = options.action === 'promote' ? 'promoted' : 'deployed';
  }

  let revision = '';
  if (status !== 'aborted') {
    const outcome = await logger.group(`Wait for the rollout of ${target}`, () => waitForRollout(kube, target, ns, { timeoutMs: options.timeoutMs, logger }));
    revision = outcome.revision;
    if (!outcome.ok) return fail(target, outcome.causes, desired, revision);
  } else {
    revision = (await kube.apps.readNamespacedDeployment({ name, namespace: ns }).catch(() => undefined))?.metadata?.annotations?.[REVISION] ?? '';
  }
  if (status === 'promoted') {
    await removeObject(kube, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: deploymentName(name, 'canary'), namespace: ns } });
    logger.info(`Promoted ${resolved.image} to ${name} and removed the canary.`);
  }
  return finish({ status, revision, url: await serviceUrl(), image: resolved.image });

  async function serviceUrl(): Promise<string> {
    const urls = [url()];
    if (options.expose === 'LoadBalancer') {
      const svc = await kube.core.readNamespacedService({ name, namespace: ns }).catch(() => undefined);
      const ingress = svc?.status?.loadBalancer?.ingress?.[0];
      if (ingress?.ip || ingress?.hostname) urls.push(`http://${ingress.ip ?? ingress.hostname}`);
    }
    if (options.ingressHost) urls.push(`http://${options.ingressHost}`);
    return urls.join(' ');
  }

  async function fail(deployment: string, causes: string[], applied: V1Deployment | undefined, failedRevision: string): Promise<DeployResult> {
    logger.error(`The rollout of ${ns}/${deployment} failed:\n  - ${causes.join('\n  - ')}`);
    let message = `the rollout of ${ns}/${deployment} (revision ${failedRevision || '?'}) failed: ${causes[0] ?? 'unknown cause'}${causes.length > 1 ? ` (and ${causes.length - 1} more, listed above)` : ''}`;
    let finalStatus: DeployStatus = 'failed';
    let revisionNow = failedRevision;
    if (options.rollbackOnFailure && applied) {
      const back = await rollBack(kube, applied, logger);
      if (back) {
        const settled = await waitForRollout(kube, deployment, ns, { timeoutMs: options.timeoutMs, logger });
        revisionNow = settled.revision;
        finalStatus = 'rolled-back';
        message += `; rolled back to revision ${back.toRevision} (${back.image}), now revision ${settled.revision}${settled.ok ? '' : ', which has not settled either'}`;
      } else {
        message += '; there is no previous revision to roll back to';
      }
    }
    const result = await finish({ status: finalStatus, revision: revisionNow, url: url(), image: resolved.image });
    return { ...result, failure: message };
  }

  async function finish(r: Omit<DeployResult, 'path' | 'artifact'>): Promise<DeployResult> {
    const artifactName = `${name}-deployment`;
    const path = resolve(options.output, artifactName);
    const artifact = await writeArtifact(
      path,
      { kind: 'Deployment', name: artifactName, inputs: resolved.lineage, producer: describeProducer('deploy-k8s', context.via, env), run: { server: kube.server, status: r.status, revision: r.revision } },
      async () => ({
        cluster: kube.server,
        namespace: ns,
        name,
        image: r.image,
        strategy: options.manifests.length ? 'manifests' : options.strategy,
        action: options.action,
        url: r.url,
        ...(resolved.model ? { model: resolved.model } : {}),
        annotations,
      }),
    );
    const out: DeployResult = { ...r, path, artifact };
    if (options.upload) out.uploaded = await uploadWorkflowArtifact({ dir: path, manifest: artifact, file: (p) => join(path, p) }, { logger, env });
    return out;
  }
}
