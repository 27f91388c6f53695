import { parse as parseYaml } from 'yaml';
import { DEPLOY_ACTIONS, deployK8s, EXPOSE, STRATEGIES, type DeployOptions, type DeployResult } from '../deploy/deploy.js';
import { ConfigurationError } from '../errors.js';
import { escapeMarkdown, table } from '../report/markdown.js';
import { readBoolean, readChoice, readList, readNumber, readRequired, readString, type InputReader } from '../runtime/inputs.js';
import { withDefaults, type Stage } from '../runtime/stage.js';

const defaults = {
  namespace: 'default',
  'create-namespace': 'false',
  replicas: '2',
  gpu: '0',
  strategy: 'rolling',
  'canary-replicas': '1',
  action: 'deploy',
  expose: 'ClusterIP',
  port: '8080',
  timeout: '5m',
  'rollback-on-failure': 'true',
  output: 'mlops-artifacts',
  upload: 'false',
} as const;

/** `90s`, `5m`, `1h` or plain seconds. */
export function parseDuration(text: string, input: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new ConfigurationError(`'${text}' is not a duration; use e.g. 90s, 5m or 1h.`, { input });
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

function yamlInput<T>(read: InputReader, name: string, check: (v: unknown) => v is T, shape: string): T | undefined {
  const text = read(name);
  if (!text.trim()) return undefined;
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ConfigurationError(`is not valid YAML: ${(error as Error).message.split('\n')[0]}`, { input: name });
  }
  if (!check(value)) throw new ConfigurationError(`must be ${shape}.`, { input: name });
  return value;
}

const isMap = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

function parseInputs(raw: InputReader): DeployOptions {
  const read = withDefaults(raw, defaults);
  const resources = yamlInput(read, 'resources', isMap, 'a map like {requests: {cpu: 250m, memory: 256Mi}, limits: {memory: 512Mi}}');
  if (resources) {
    for (const key of Object.keys(resources)) if (key !== 'requests' && key !== 'limits') throw new ConfigurationError(`has '${key}'; only requests and limits are allowed.`, { input: 'resources' });
  }
  let nodeSelector: Record<string, string> | undefined;
  const selectorText = read('node-selector').trim();
  if (selectorText) {
    nodeSelector = selectorText.includes(':') ? (yamlInput(read, 'node-selector', isMap, 'a map of node labels') as Record<string, string>) : Object.fromEntries(readList(read, 'node-selector').map((kv) => kv.split('=').map((s) => s.trim())));
  }
  const tolerations = yamlInput(read, 'tolerations', Array.isArray as (v: unknown) => v is unknown[], 'a list of tolerations, e.g. [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]');
  const ingressHost = readString(read, 'ingress-host');
  return {
    image: readRequired(read, 'image', "a ContainerImage artifact (build-image's container-image output or artifact:<name>) or an image by digest, repo@sha256:…"),
    kubeconfig: read('kubeconfig'),
    context: readString(read, 'context'),
    namespace: readString(read, 'namespace', 'default'),
    createNamespace: readBoolean(read, 'create-namespace', false),
    name: readString(read, 'name'),
    replicas: readNumber(read, 'replicas', 2, { integer: true, min: 0, max: 1000 }),
    resources,
    gpu: readNumber(read, 'gpu', 0, { integer: true, min: 0, max: 16 }),
    nodeSelector,
    tolerations,
    strategy: readChoice(read, 'strategy', STRATEGIES, 'rolling'),
    canaryReplicas: readNumber(read, 'canary-replicas', 1, { integer: true, min: 1, max: 100 }),
    action: readChoice(read, 'action', DEPLOY_ACTIONS, 'deploy'),
    manifests: readList(read, 'manifests'),
    expose: readChoice(read, 'expose', EXPOSE, 'ClusterIP'),
    ingressHost,
    port: readNumber(read, 'port', 8080, { integer: true, min: 1, max: 65535 }),
    timeoutMs: parseDuration(read('timeout'), 'timeout'),
    rollbackOnFailure: readBoolean(read, 'rollback-on-failure', true),
    output: readString(read, 'output', defaults.output),
    upload: readBoolean(read, 'upload', false),
  };
}

/** deploy-k8s: a ContainerImage onto Kubernetes, with rollout checks, canaries and rollback. */
export const deployK8sStage: Stage<DeployOptions, DeployResult> = {
  name: 'deploy-k8s',
  inputs: ['image', 'kubeconfig', 'context', 'namespace', 'create-namespace', 'name', 'replicas', 'resources', 'gpu', 'node-selector', 'tolerations', 'strategy', 'canary-replicas', 'action', 'manifests', 'expose', 'ingress-host', 'port', 'timeout', 'rollback-on-failure', 'output', 'upload'],
  defaults,
  secretInputs: ['kubeconfig'],
  parseInputs,
  execute: deployK8s,
  outputs: (r) => ({ revision: r.revision, url: r.url, status: r.status, deployment: r.path ?? '', ...(r.uploaded ? { 'artifact-ref': r.uploaded } : {}) }),
  summary: (r) =>
    [
      `### ${r.failure ? '❌' : '✅'} Deployment ${escapeMarkdown(r.artifact?.spec.namespace ?? '')}/${escapeMarkdown(r.artifact?.spec.name ?? '')}: ${r.status}`,
      '',
      ...(r.failure ? [escapeMarkdown(r.failure), ''] : []),
      table(['', ''], [['image', `\`${r.image}\``], ['revision', r.revision || 'n/a'], ['url', r.url], ['cluster', r.artifact?.spec.cluster ?? '']]),
      '',
    ].join('\n'),
  failure: (r) => r.failure,
};
