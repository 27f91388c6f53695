import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type Dockerode from 'dockerode';
import { describeProducer } from '../artifact/producer.js';
import type { ArtifactManifest, LineageEntry, MonitoringSpec } from '../artifact/schema.js';
import { lineageOf, writeArtifact, type LoadedArtifact } from '../artifact/store.js';
import { requireRunner, resolveArtifactInput, uploadWorkflowArtifact } from '../artifact/transfer.js';
import { readSplit } from '../data/splits.js';
import { loadKubeConfig } from '../deploy/kubeconfig.js';
import { connect, type Kube } from '../deploy/kube.js';
import { rollBack, waitForRollout } from '../deploy/rollout.js';
import { ConfigurationError } from '../errors.js';
import { dockerConnection } from '../image/build.js';
import type { Logger } from '../logger.js';
import { renderMonitoringMarkdown } from '../report/monitoring.js';
import type { StageContext } from '../runtime/stage.js';
import { comparePredictions, syntheticRows } from '../serve/examples.js';
import { loadServedModel } from '../serve/served-model.js';
import { analyzeLogs, type LogSummary } from './logs.js';
import { quantile, runLoad } from './load.js';
import { histogramQuantile, parsePrometheus, sum, type Sample } from './prometheus.js';
import { evaluateSlo, parseSlo } from './slo.js';

export interface MonitorOptions {
  target: string;
  model: string;
  dataset: string;
  url: string;
  kubeconfig: string;
  context: string;
  dockerHost: string;
  durationMs: number;
  connections: number;
  rate: number;
  maxRequests: number;
  slo: string;
  logs: boolean;
  logSinceMs: number;
  failOnBreach: boolean;
  rollbackOnBreach: boolean;
  name: string;
  output: string;
  upload: boolean;
}

export interface MonitorResult {
  path: string;
  report: ArtifactManifest<'MonitoringReport'>;
  markdownPath: string;
  markdown: string;
  passed: boolean;
  failOnBreach: boolean;
  uploaded?: string;
}

interface Target {
  kind: MonitoringSpec['target']['kind'];
  description: string;
  baseUrl: string;
  lineage: LineageEntry[];
  deployment?: LoadedArtifact<'Deployment'>;
  container?: Dockerode.Container;
}

async function resolveTarget(options: MonitorOptions, context: StageContext): Promise<Target> {
  const t = options.target.trim();
  if (/^https?:\/\//.test(t)) return { kind: 'url', description: t, baseUrl: t.replace(/\/+$/, ''), lineage: [] };
  if (t.startsWith('artifact:') || existsSync(t)) {
    const deployment = await resolveArtifactInput(t, { kind: 'Deployment', input: 'target', logger: context.logger, env: context.env });
    const spec = deployment.manifest.spec;
    const baseUrl = (options.url || spec.url.split(' ').find((u) => !u.includes('.svc.cluster.local')) || spec.url.split(' ')[0]).replace(/\/+$/, '');
    return { kind: 'deployment', description: `Deployment ${spec.namespace}/${spec.name} on ${spec.cluster}`, baseUrl, lineage: [lineageOf(deployment.manifest), ...deployment.manifest.inputs], deployment };
  }
  // A container on a Docker host, by id or name.
  const { default: Docker } = await import('dockerode');
  const docker = new Docker(dockerConnection(options.dockerHost));
  const container = docker.getContainer(t);
  let info;
  try {
    info = await container.inspect();
  } catch (error) {
    throw new ConfigurationError(`'${t}' is not a Deployment artifact, a URL (http://…) or a container on the Docker host (${(error as Error).message.replace(/^\(HTTP code \d+\) \w+ - /, '').trim()}).`, { input: 'target' });
  }
  const port = info.NetworkSettings.Ports?.['8080/tcp']?.[0];
  const baseUrl = options.url || (port ? `http://${port.HostIp && port.HostIp !== '0.0.0.0' ? port.HostIp : '127.0.0.1'}:${port.HostPort}` : '');
  if (!baseUrl) throw new ConfigurationError(`container '${t}' publishes no port for 8080; publish it (-p 127.0.0.1::8080) or pass url.`, { input: 'url' });
  return { kind: 'container', description: `container ${info.Name.replace(/^\//, '')} (${info.Config.Image})`, baseUrl: baseUrl.replace(/\/+$/, ''), lineage: [], container };
}

async function scrape(baseUrl: string): Promise<Sample[] | undefined> {
  try {
    const r = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
    return r.ok ? parsePrometheus(await r.text()) : undefined;
  } catch {
    return undefined;
  }
}

/** Examples for the load (raw features) and the model's name and input shape. */
async function examples(options: MonitorOptions, target: Target, before: Sample[] | undefined, context: StageContext): Promise<{ name: string; shape: number[]; rows: Float32Array; source: string; model?: LoadedArtifact<'Model'> }> {
  let model: LoadedArtifact<'Model'> | undefined;
  if (options.model) model = await resolveArtifactInput(options.model, { kind: 'Model', input: 'model', logger: context.logger, env: context.env });
  const name = model?.manifest.name ?? before?.find((s) => s.name === 'mlops_model_info')?.labels.model;
  if (!name) throw new ConfigurationError('cannot tell which model the target serves (no mlops_model_info in its /metrics); pass the Model artifact as model.', { input: 'model' });
  let shape = model?.manifest.spec.input.shape;
  if (!shape) {
    const meta = (await fetch(`${target.baseUrl}/v2/models/${encodeURIComponent(name)}`).then((r) => r.json(), () => undefined)) as { inputs?: { shape: number[] }[] } | undefined;
    shape = meta?.inputs?.[0]?.shape.slice(1);
    if (!shape) throw new ConfigurationError(`the target does not describe model '${name}' at /v2/models/${name}; is it an mlops-actions model server?`, { input: 'target' });
  }
  const width = shape.reduce((a, b) => a * b, 1);
  if (options.dataset) {
    const dataset = await resolveArtifactInput(options.dataset, { kind: 'Dataset', input: 'dataset', logger: context.logger, env: context.env });
    const test = await readSplit(dataset, 'test', { normalized: false });
    const n = Math.min(256, test.rows);
    return { name, shape, rows: test.features.slice(0, n * width), source: `${n} examples from the test split of Dataset '${dataset.manifest.name}'`, model };
  }
  const n = 64;
  const rows = syntheticRows(model?.manifest.spec.input.normalization, width, n, 11);
  return { name, shape, rows, source: `${n} seeded synthetic examples${model ? " in the model's input range" : ''} (pass dataset for real ones)`, model };
}

async function collectLogs(target: Target, options: MonitorOptions, kube: Kube | undefined, logger: Logger): Promise<MonitoringSpec['logs'] | undefined> {
  const since = Math.floor((Date.now() - options.logSinceMs) / 1000);
  try {
    if (target.container) {
      const buffer = (await target.container.logs({ stdout: true, stderr: true, timestamps: true, since, follow: false })) as unknown as Buffer;
      const info = await target.container.inspect();
      const summary = analyzeLogs(demuxDockerLogs(buffer).split('\n'));
      const terminations = info.State.OOMKilled ? ['OOMKilled'] : info.State.ExitCode && !info.State.Running ? [`exited with code ${info.State.ExitCode}`] : [];
      return { source: target.description, ...summary, restarts: info.RestartCount ?? 0, terminations };
    }
    if (target.deployment && kube) {
      const spec = target.deployment.manifest.spec;
      const pods = (await kube.core.listNamespacedPod({ namespace: spec.namespace, labelSelector: `app.kubernetes.io/name=${spec.name}` })).items;
      const lines: string[] = [];
      let restarts = 0;
      const terminations: string[] = [];
      const unavailable: string[] = [];
      for (const pod of pods) {
        for (const cs of pod.status?.containerStatuses ?? []) {
          restarts += cs.restartCount ?? 0;
          const t = cs.lastState?.terminated;
          if (t?.reason) terminations.push(`${pod.metadata?.name}/${cs.name}: ${t.reason} (exit code ${t.exitCode})`);
        }
        try {
          const text = await kube.core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: spec.namespace, timestamps: true, sinceSeconds: Math.ceil(options.logSinceMs / 1000) });
          lines.push(...String(text).split('\n'));
        } catch (error) {
          unavailable.push(`${pod.metadata?.name}: ${(error as Error).message.split('\n')[0].slice(0, 120)}`);
        }
      }
      if (unavailable.length) logger.warning(`Logs of ${unavailable.length} of ${pods.length} pods could not be read: ${unavailable.slice(0, 3).join('; ')}`);
      return { source: `${pods.length} pods of ${spec.namespace}/${spec.name}`, ...analyzeLogs(lines), restarts, terminations };
    }
  } catch (error) {
    logger.warning(`Logs could not be collected: ${(error as Error).message}`);
  }
  return undefined;
}

/** Docker's multiplexed log stream (8-byte frame headers) as text; plain text passes through. */
export function demuxDockerLogs(buffer: Buffer): string {
  if (buffer.length < 8 || ![0, 1, 2].includes(buffer[0]) || buffer[1] !== 0 || buffer[2] !== 0 || buffer[3] !== 0) return buffer.toString('utf8');
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/**
 * monitor-model's core: a bounded load against the model server, /metrics scraped before and
 * after, served predictions checked against the model, logs collected and analysed, SLO rules
 * evaluated (fail closed), and a MonitoringReport with lineage; on a breach, optionally a
 * rollback through deploy-k8s's rollback.
 */
export async function monitorModel(options: MonitorOptions, context: StageContext): Promise<MonitorResult> {
  const { logger, env } = context;
  if (options.upload) requireRunner(env, 'upload', 'upload: true');
  const rules = parseSlo(options.slo);
  const target = await resolveTarget(options, context);
  if (options.rollbackOnBreach && target.kind !== 'deployment') throw new ConfigurationError('needs a Deployment artifact as target (deploy-k8s rolls it back).', { input: 'rollback-on-breach' });
  const kube = target.kind === 'deployment' && (options.kubeconfig || env.KUBERNETES_SERVICE_HOST) ? await connect(await loadKubeConfig(options.kubeconfig, options.context, env)) : undefined;
  if (options.rollbackOnBreach && !kube) throw new ConfigurationError('needs kubeconfig to roll the Deployment back.', { input: 'kubeconfig' });

  const ready = await fetch(`${target.baseUrl}/v2/health/ready`, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false);
  if (!ready) throw new ConfigurationError(`the model server at ${target.baseUrl} is not ready (GET /v2/health/ready); check the target${target.kind === 'deployment' ? ' or pass url where the runner can reach the Service' : ''}.`, { input: 'target' });
  const before = await scrape(target.baseUrl);
  const ex = await examples(options, target, before, context);
  const width = ex.shape.reduce((a, b) => a * b, 1);
  const count = ex.rows.length / width;
  const bodies = Array.from({ length: count }, (_, r) => JSON.stringify({ inputs: [{ name: 'input', shape: [1, ...ex.shape], datatype: 'FP32', data: Array.from(ex.rows.subarray(r * width, (r + 1) * width)) }] }));
  const inferUrl = `${target.baseUrl}/v2/models/${encodeURIComponent(ex.name)}/infer`;

  const start = new Date();
  const load = await logger.group(`Load ${inferUrl}: ${options.connections} connections, ${options.durationMs / 1000}s${options.rate ? `, ${options.rate} req/s` : ''}, at most ${options.maxRequests} requests`, async () => {
    const r = await runLoad({ url: inferUrl, bodies, connections: options.connections, durationMs: options.durationMs, rate: options.rate, maxRequests: options.maxRequests, timeoutMs: 10_000 });
    logger.info(`${r.requests} requests in ${r.seconds.toFixed(1)}s (${(r.requests / r.seconds).toFixed(1)} req/s), ${r.errors} failed; codes ${JSON.stringify(r.codes)}`);
    return r;
  });
  const after = await scrape(target.baseUrl);

  // Prediction sanity: one batch of examples, served vs in-process.
  let sanity: MonitoringSpec['sanity'];
  if (ex.model) {
    const n = Math.min(32, count);
    const rows = ex.rows.slice(0, n * width);
    const served = (await fetch(inferUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [{ name: 'input', shape: [n, ...ex.shape], datatype: 'FP32', data: Array.from(rows) }] }) })
      .then((r) => r.json(), () => undefined)) as { outputs?: { data: number[] }[] } | undefined;
    if (served?.outputs?.[0]) {
      const local = await loadServedModel(ex.model.dir, { backend: 'wasm', logger: { ...logger, info: () => {} }, env });
      const expected = await local.predict(rows, n);
      local.dispose();
      const { maxAbsDiff, mismatches } = comparePredictions(served.outputs[0].data, expected, n, ex.model.manifest.spec.output.units, ex.model.manifest.spec.task === 'classification');
      sanity = { examples: n, mismatches, maxAbsDiff };
      logger.info(`Prediction check: ${n - mismatches} of ${n} served predictions agree with the model run in-process (max |difference| ${maxAbsDiff.toExponential(2)}).`);
    } else {
      logger.warning('Prediction check: the server did not answer the sample batch.');
    }
  }

  const logs = options.logs ? await collectLogs(target, options, kube, logger) : undefined;

  let server: MonitoringSpec['server'];
  if (before && after) {
    const requests = sum(after, 'mlops_http_requests_total', (l) => l.route === 'infer') - sum(before, 'mlops_http_requests_total', (l) => l.route === 'infer');
    const errors5xx = sum(after, 'mlops_http_requests_total', (l) => l.route === 'infer' && l.code >= '500') - sum(before, 'mlops_http_requests_total', (l) => l.route === 'infer' && l.code >= '500');
    const batches = sum(after, 'mlops_batch_size_count') - sum(before, 'mlops_batch_size_count');
    const rowsBatched = sum(after, 'mlops_batch_size_sum') - sum(before, 'mlops_batch_size_sum');
    const cpu = sum(after, 'process_cpu_seconds_total') - sum(before, 'process_cpu_seconds_total');
    server = {
      requests,
      p95LatencyMs: histogramQuantile(before, after, 'mlops_http_request_duration_seconds', 0.95, (l) => l.route === 'infer') * 1000,
      errorRate: requests > 0 ? errors5xx / requests : 0,
      memoryMb: sum(after, 'process_resident_memory_bytes') / 1e6,
      cpuPercent: (cpu / load.seconds) * 100,
      meanBatchSize: batches > 0 ? rowsBatched / batches : undefined,
    };
    for (const [k, v] of Object.entries(server)) if (v === undefined || !Number.isFinite(v)) delete (server as Record<string, unknown>)[k];
  } else {
    logger.warning(`The target's /metrics could not be read${before ? ' after' : ''} the load; server-side figures are missing.`);
  }

  const lat = load.latenciesMs;
  const client = {
    requests: load.requests,
    errors: load.errors,
    codes: load.codes,
    rps: load.requests / load.seconds,
    errorRate: load.requests ? load.errors / load.requests : 1,
    latencyMs: { p50: quantile(lat, 0.5), p95: quantile(lat, 0.95), p99: quantile(lat, 0.99), mean: lat.reduce((a, b) => a + b, 0) / Math.max(1, lat.length), max: Math.max(0, ...lat) },
  };
  const observed: Record<string, number> = {
    p50_latency_ms: client.latencyMs.p50,
    p95_latency_ms: client.latencyMs.p95,
    p99_latency_ms: client.latencyMs.p99,
    mean_latency_ms: client.latencyMs.mean,
    max_latency_ms: client.latencyMs.max,
    error_rate: client.errorRate,
    throughput_rps: client.rps,
    ...(server?.p95LatencyMs !== undefined ? { server_p95_latency_ms: server.p95LatencyMs } : {}),
    ...(server?.errorRate !== undefined ? { server_error_rate: server.errorRate } : {}),
    ...(server?.memoryMb !== undefined ? { memory_mb: server.memoryMb } : {}),
    ...(server?.cpuPercent !== undefined ? { cpu_percent: server.cpuPercent } : {}),
    ...(server?.meanBatchSize !== undefined ? { mean_batch_size: server.meanBatchSize } : {}),
    ...(sanity ? { prediction_mismatch_rate: sanity.mismatches / sanity.examples } : {}),
    ...(logs ? { log_errors: (logs.byLevel.error ?? 0) + (logs.byLevel.fatal ?? 0), restarts: logs.restarts } : {}),
  };
  const slo = evaluateSlo(rules, observed);
  const passed = slo.every((r) => r.passed);
  for (const r of slo) (r.passed ? logger.info : logger.error)(`${r.passed ? 'OK' : 'BREACH'} ${r.message}`);

  let rollback: MonitoringSpec['rollback'];
  if (!passed && options.rollbackOnBreach && kube && target.deployment) {
    const spec = target.deployment.manifest.spec;
    const live = await kube.apps.readNamespacedDeployment({ name: spec.name, namespace: spec.namespace });
    const desired = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: spec.name, namespace: spec.namespace, labels: live.metadata?.labels, annotations: Object.fromEntries(Object.entries(live.metadata?.annotations ?? {}).filter(([k]) => k.startsWith('mlops-actions.dev/'))) }, spec: { ...live.spec!, template: live.spec!.template } };
    const back = await rollBack(kube, desired as never, logger);
    if (back) {
      const settled = await waitForRollout(kube, spec.name, spec.namespace, { timeoutMs: 300_000, logger });
      rollback = { toRevision: back.toRevision, image: back.image };
      logger.warning(`SLO breached: rolled ${spec.namespace}/${spec.name} back to revision ${back.toRevision} (${back.image}); now revision ${settled.revision}.`);
    } else {
      logger.warning(`SLO breached, but ${spec.namespace}/${spec.name} has no previous revision to roll back to.`);
    }
  }

  const name = options.name || `${ex.name}-monitoring`;
  const path = resolve(options.output, name);
  const reportSpec: MonitoringSpec = {
    target: { kind: target.kind, description: target.description, url: target.baseUrl },
    modelName: ex.name,
    window: { start: start.toISOString(), seconds: load.seconds },
    load: { connections: options.connections, rate: options.rate, maxRequests: options.maxRequests, examples: ex.source },
    client,
    ...(server ? { server } : {}),
    ...(sanity ? { sanity } : {}),
    ...(logs ? { logs } : {}),
    metrics: Object.fromEntries(Object.entries(observed).filter(([, v]) => Number.isFinite(v))),
    slo: slo.map((r) => ({ ...r, observed: Number.isFinite(r.observed) ? r.observed : null })),
    passed,
    ...(rollback ? { rollback } : {}),
  };
  const lineage = [...target.lineage];
  if (ex.model && !lineage.some((l) => l.digest === ex.model!.manifest.digest)) lineage.push(lineageOf(ex.model.manifest));
  const report = await writeArtifact(path, { kind: 'MonitoringReport', name, inputs: lineage, producer: describeProducer('monitor-model', context.via, env) }, async () => reportSpec);
  const markdown = renderMonitoringMarkdown(report);
  const markdownPath = resolve(options.output, `${name}.md`);
  await writeFile(`${markdownPath}.tmp`, markdown);
  await rename(`${markdownPath}.tmp`, markdownPath);
  const result: MonitorResult = { path, report, markdownPath, markdown, passed, failOnBreach: options.failOnBreach };
  if (options.upload) result.uploaded = await uploadWorkflowArtifact({ dir: path, manifest: report, file: (p) => join(path, p) }, { logger, env });
  return result;
}
