import { join, resolve } from 'node:path';
import type Dockerode from 'dockerode';
import { describeProducer } from '../artifact/producer.js';
import type { ArtifactManifest } from '../artifact/schema.js';
import { lineageOf, writeArtifact, type LoadedArtifact } from '../artifact/store.js';
import { requireRunner, resolveArtifactInput, uploadWorkflowArtifact } from '../artifact/transfer.js';
import { readSplit } from '../data/splits.js';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { StageContext } from '../runtime/stage.js';
import { comparePredictions, syntheticRows } from '../serve/examples.js';
import { loadServedModel } from '../serve/served-model.js';
import { contextTar, directoryFiles, findLibDir, serverRuntimeFiles, type ContextFile } from './context.js';
import { registryManifestDigest } from './registry.js';
import { deriveTags, parseRepository } from './tags.js';

export const DEFAULT_BASE_IMAGE = 'node:24-slim';

export interface BuildImageOptions {
  model: string;
  image: string;
  tags: string[];
  baseImage: string;
  registry: string;
  username: string;
  password: string;
  push: boolean;
  labels: Record<string, string>;
  smokeTest: boolean;
  /** Examples for the smoke test: a Dataset artifact (its test split); '' uses seeded synthetic rows. */
  dataset: string;
  dockerHost: string;
  output: string;
  name: string;
  upload: boolean;
}

export interface SmokeResult {
  examples: number;
  maxAbsDiff: number;
  labelsAgree: boolean;
  source: string;
}

export interface BuildImageResult {
  path: string;
  artifact: ArtifactManifest<'ContainerImage'>;
  /** repo@sha256:… after a push, else repo:tag. */
  image: string;
  digest: string;
  tags: string[];
  size: number;
  imageId: string;
  layers: string[];
  smoke?: SmokeResult;
  uploaded?: string;
}

/** A Docker build or push failure: the step and the daemon's message. */
export class BuildError extends ConfigurationError {}

/** dockerode options from docker-host (unix:///…, tcp://host:port) or DOCKER_HOST. */
export function dockerConnection(host: string): Dockerode.DockerOptions {
  const value = host || process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  if (value.startsWith('unix://')) return { socketPath: value.slice('unix://'.length) };
  const m = /^(tcp|http|https):\/\/([^:/]+)(?::(\d+))?\/?$/.exec(value);
  if (!m) throw new ConfigurationError(`'${value}' is not a Docker host; use unix:///var/run/docker.sock or tcp://host:2375.`, { input: 'docker-host' });
  return { host: m[2], port: Number(m[3] ?? (m[1] === 'https' ? 2376 : 2375)), protocol: m[1] === 'https' ? 'https' : 'http' };
}

function dockerfile(base: string): string {
  return [
    `FROM ${base}`,
    'WORKDIR /app',
    // The server runtime first: it changes only with the suite, so a new model reuses it.
    'COPY runtime/ /app/',
    'ENV PORT=8080 NODE_ENV=production',
    'EXPOSE 8080',
    'USER 1000:1000',
    'HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 CMD ["node", "/app/healthcheck.js"]',
    'ENTRYPOINT ["node", "/app/lib/serve.js", "--model", "/app/model"]',
    // The model last: a model-only change rebuilds only this small layer.
    'COPY model/ /app/model/',
    '',
  ].join('\n');
}

const HEALTHCHECK = `fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/v2/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));\n`;

/** Follows a build or push progress stream, logging it; returns the messages. */
function follow(docker: Dockerode, stream: NodeJS.ReadableStream, logger: Logger, what: string): Promise<Record<string, unknown>[]> {
  return new Promise((done, fail) => {
    let lastStep = '';
    const messages: Record<string, unknown>[] = [];
    docker.modem.followProgress(
      stream,
      (error: Error | null) => (error ? fail(new BuildError(`${what} failed${lastStep ? ` at ${lastStep}` : ''}: ${error.message}`, { input: 'image' })) : done(messages)),
      (event: Record<string, unknown>) => {
        messages.push(event);
        const text = typeof event.stream === 'string' ? event.stream.trim() : '';
        if (text) {
          if (/^Step \d+\/\d+ :/.test(text)) lastStep = text;
          logger.info(text);
        }
        if (event.error) {
          const detail = (event.errorDetail as { message?: string } | undefined)?.message ?? String(event.error);
          fail(new BuildError(`${what} failed${lastStep ? ` at ${lastStep}` : ''}: ${detail}`, { input: what.startsWith('push') ? 'registry' : 'base-image' }));
        } else if (event.status && typeof event.status === 'string' && /Pushed|Mounted|already exists|digest:/.test(event.status)) {
          logger.debug(`${event.id ?? ''} ${event.status}`);
        }
      },
    );
  });
}

async function smokeTest(docker: Dockerode, imageId: string, model: LoadedArtifact<'Model'>, options: BuildImageOptions, logger: Logger, env: NodeJS.ProcessEnv): Promise<SmokeResult> {
  const spec = model.manifest.spec;
  const width = spec.input.shape.reduce((a, b) => a * b, 1);
  // Raw examples, as a client would send them.
  let rows: Float32Array;
  let source: string;
  const n = 16;
  if (options.dataset) {
    const dataset = await resolveArtifactInput(options.dataset, { kind: 'Dataset', input: 'dataset', logger, env });
    const test = await readSplit(dataset, 'test', { normalized: false });
    const count = Math.min(n, test.rows);
    rows = test.features.slice(0, count * width);
    source = `${count} examples from the test split of Dataset '${dataset.manifest.name}'`;
  } else {
    rows = syntheticRows(spec.input.normalization, width, n, 7);
    source = `${n} seeded synthetic examples (pass dataset for real ones)`;
  }
  const count = rows.length / width;
  const local = await loadServedModel(model.dir, { backend: 'wasm', logger: { ...logger, info: () => {} }, env });
  const expected = await local.predict(rows, count);
  local.dispose();

  const container = await docker.createContainer({
    Image: imageId,
    Labels: { 'dev.mlops-actions.smoke-test': 'true' },
    HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, AutoRemove: false, ReadonlyRootfs: true, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'] },
    ExposedPorts: { '8080/tcp': {} },
  });
  try {
    try {
      await container.start();
    } catch (error) {
      throw new BuildError(`smoke test: the container could not start: ${(error as Error).message.replace(/^\(HTTP code \d+\) \w+ - /, '').trim()}. Check base-image: it must provide node (Node 24) on PATH.`, { input: 'smoke-test' });
    }
    const info = await container.inspect();
    const port = info.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort;
    if (!port) throw new BuildError('smoke test: the container did not publish port 8080.', { input: 'smoke-test' });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ready = await fetch(`${base}/v2/health/ready`).then((r) => r.ok, () => false);
      if (ready) break;
      const state = (await container.inspect()).State;
      if (!state.Running || Date.now() > deadline) {
        const logs = (await container.logs({ stdout: true, stderr: true, tail: 30 })).toString('utf8').replace(/[\x00-\x08]/g, '');
        throw new BuildError(`smoke test: the container ${state.Running ? 'did not become ready within 60 s' : `exited with code ${state.ExitCode}`}. Its last log lines:\n${logs}`, { input: 'smoke-test' });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const response = await fetch(`${base}/v2/models/${encodeURIComponent(model.manifest.name)}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'input', shape: [count, ...spec.input.shape], datatype: 'FP32', data: Array.from(rows) }] }),
    });
    const body = (await response.json()) as { outputs?: { name: string; data: number[] }[]; error?: string };
    if (!response.ok || !body.outputs) throw new BuildError(`smoke test: inference answered ${response.status}: ${body.error ?? JSON.stringify(body).slice(0, 200)}`, { input: 'smoke-test' });
    const { maxAbsDiff, mismatches } = comparePredictions(body.outputs[0].data, expected, count, spec.output.units, spec.task === 'classification');
    const labelsAgree = mismatches === 0 || spec.task !== 'classification';
    const result = { examples: count, maxAbsDiff, labelsAgree, source };
    if (maxAbsDiff > 1e-4 || !labelsAgree) {
      throw new BuildError(`smoke test failed: the container's predictions differ from the model run in-process (max |difference| ${maxAbsDiff.toExponential(2)}${labelsAgree ? '' : ', different classes'}) on ${source}. Nothing was pushed.`, { input: 'smoke-test' });
    }
    logger.info(`Smoke test passed: ${source}; container and in-process predictions agree (max |difference| ${maxAbsDiff.toExponential(2)}).`);
    return result;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

async function withRetries<T>(what: string, logger: Logger, fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const message = (error as Error).message;
      const transient = /timeout|timed out|ECONNRESET|ECONNREFUSED|EOF|50[234]|too many requests|connection reset/i.test(message);
      if (!transient || attempt >= attempts) throw error;
      logger.warning(`${what} failed (${message}); retrying in ${attempt * 2}s (attempt ${attempt + 1} of ${attempts}).`);
      await new Promise((r) => setTimeout(r, attempt * 2000));
    }
  }
}

/**
 * build-image's core: builds the serving image with the Docker Engine API from an in-memory
 * context (base → server runtime → model), labels it, smoke-tests the container against the
 * model run in-process, pushes it, reads the digest back from the registry, and writes a
 * ContainerImage artifact with lineage to the model.
 */
export async function buildImage(options: BuildImageOptions, context: StageContext): Promise<BuildImageResult> {
  const { logger, env } = context;
  if (options.upload) requireRunner(env, 'upload', 'upload: true');
  const { repository, registry: repoRegistry } = parseRepository(options.image);
  const model = await resolveArtifactInput(options.model, { kind: 'Model', input: 'model', logger, env });
  const tags = deriveTags(options.tags, env, model.manifest.digest);
  const datasetDigest = model.manifest.inputs.find((i) => i.kind === 'Dataset')?.digest ?? '';
  const { default: Docker } = await import('dockerode');
  const docker = new Docker(dockerConnection(options.dockerHost));
  try {
    await docker.ping();
  } catch (error) {
    throw new ConfigurationError(`cannot reach the Docker Engine (${(error as Error).message}). Set docker-host (e.g. unix:///var/run/docker.sock) or start Docker on the runner.`, { input: 'docker-host' });
  }
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const version = /^refs\/tags\/(.+)$/.exec(env.GITHUB_REF ?? '')?.[1] ?? tags[0];
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': model.manifest.name,
    'org.opencontainers.image.description': `mlops-actions model server for ${model.manifest.name}`,
    'org.opencontainers.image.version': version,
    // Reproducible: the model's creation time (or SOURCE_DATE_EPOCH), so an unchanged model rebuilds from cache to the same image.
    'org.opencontainers.image.created': env.SOURCE_DATE_EPOCH ? new Date(Number(env.SOURCE_DATE_EPOCH) * 1000).toISOString() : model.manifest.createdAt,
    ...(env.GITHUB_REPOSITORY ? { 'org.opencontainers.image.source': `${server}/${env.GITHUB_REPOSITORY}` } : {}),
    ...(env.GITHUB_SHA ? { 'org.opencontainers.image.revision': env.GITHUB_SHA } : {}),
    'dev.mlops-actions.model.name': model.manifest.name,
    'dev.mlops-actions.model.digest': model.manifest.digest,
    ...(datasetDigest ? { 'dev.mlops-actions.dataset.digest': datasetDigest } : {}),
    ...options.labels,
  };

  const libDir = findLibDir();
  const { readFile } = await import('node:fs/promises');
  const runtime: ContextFile[] = [
    { path: 'Dockerfile', content: dockerfile(options.baseImage) },
    { path: 'runtime/package.json', content: '{ "type": "module", "private": true }\n' },
    { path: 'runtime/healthcheck.js', content: HEALTHCHECK },
  ];
  for (const file of await serverRuntimeFiles(libDir)) runtime.push({ path: `runtime/lib/${file}`, content: await readFile(join(libDir, file)) });
  const files = [...runtime, ...(await directoryFiles(model.dir, 'model'))];
  const first = `${repository}:${tags[0]}`;

  const started = Date.now();
  const messages = await logger.group(`Build ${first} (base ${options.baseImage})`, async () => {
    const stream = await docker.buildImage(contextTar(files) as unknown as NodeJS.ReadableStream, { t: first, labels: JSON.stringify(labels) as unknown as Record<string, string>, pull: undefined, rm: true, forcerm: true, version: '1' } as Dockerode.ImageBuildOptions);
    return follow(docker, stream, logger, 'docker build');
  });
  const imageId = (messages.find((m) => (m.aux as { ID?: string } | undefined)?.ID)?.aux as { ID: string } | undefined)?.ID ?? (await docker.getImage(first).inspect()).Id;
  const inspected = await docker.getImage(imageId).inspect();
  const layers = inspected.RootFS?.Layers ?? [];
  logger.info(`Built ${imageId} in ${((Date.now() - started) / 1000).toFixed(1)}s: ${(inspected.Size / 1e6).toFixed(1)} MB, ${layers.length} layers.`);
  for (const tag of tags.slice(1)) await docker.getImage(imageId).tag({ repo: repository, tag });

  let smoke: SmokeResult | undefined;
  if (options.smokeTest) smoke = await logger.group('Smoke test the container', () => smokeTest(docker, imageId, model, options, logger, env));

  let digest = '';
  if (options.push) {
    const registry = options.registry || repoRegistry;
    const auth = options.username ? { username: options.username, password: options.password, serveraddress: registry } : undefined;
    await logger.group(`Push ${repository} (${tags.join(', ')})`, async () => {
      for (const tag of tags) {
        const pushed = await withRetries(`push of ${repository}:${tag}`, logger, async () => {
          const stream = await docker.getImage(`${repository}:${tag}`).push({ tag, authconfig: auth } as Dockerode.ImagePushOptions);
          return follow(docker, stream, logger, `push of ${repository}:${tag}`);
        });
        const aux = pushed.map((m) => m.aux as { Digest?: string } | undefined).find((a) => a?.Digest);
        if (aux?.Digest) digest = aux.Digest;
        logger.info(`Pushed ${repository}:${tag}${aux?.Digest ? ` (${aux.Digest})` : ''}`);
      }
    });
    const fromRegistry = await registryManifestDigest(repository, tags[0], { username: options.username, password: options.password });
    if (fromRegistry && digest && fromRegistry !== digest) {
      throw new BuildError(`the registry reports manifest digest ${fromRegistry} for ${repository}:${tags[0]}, but the push reported ${digest}.`, { input: 'registry' });
    }
    digest = fromRegistry || digest;
    logger.info(`Registry manifest digest: ${digest}`);
  }
  const image = digest ? `${repository}@${digest}` : first;
  const name = options.name || `${model.manifest.name}-image`;
  const target = resolve(options.output, name);
  const artifact = await writeArtifact(
    target,
    {
      kind: 'ContainerImage',
      name,
      inputs: [lineageOf(model.manifest)],
      producer: describeProducer('build-image', context.via, env),
      run: { buildSeconds: (Date.now() - started) / 1000, imageId, ...(smoke ? { smokeExamples: smoke.examples, smokeMaxAbsDiff: smoke.maxAbsDiff } : {}) },
    },
    async () => ({
      repository,
      image,
      digest,
      tags: tags.map((t) => `${repository}:${t}`),
      pushed: options.push,
      size: inspected.Size,
      layers,
      baseImage: options.baseImage,
      labels,
      model: { name: model.manifest.name, digest: model.manifest.digest },
      ...(datasetDigest ? { dataset: { digest: datasetDigest } } : {}),
      smokeTest: smoke ? { passed: true, examples: smoke.examples, source: smoke.source } : { passed: false, skipped: true },
    }),
  );
  const result: BuildImageResult = { path: target, artifact, image, digest, tags: tags.map((t) => `${repository}:${t}`), size: inspected.Size, imageId, layers, smoke };
  if (options.upload) result.uploaded = await uploadWorkflowArtifact({ dir: target, manifest: artifact, file: (p) => join(target, p) }, { logger, env });
  return result;
}
