import type { V1Deployment, V1Service, V1Namespace } from '@kubernetes/client-node';

export const FIELD_MANAGER = 'mlops-actions';
export const ANNOTATION = 'mlops-actions.dev';

export interface WorkloadOptions {
  name: string;
  namespace: string;
  image: string;
  replicas: number;
  port: number;
  resources?: Record<string, unknown>;
  gpu: number;
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
  annotations: Record<string, string>;
  /** stable (the main Deployment) or canary. */
  track: 'stable' | 'canary';
  /** Extra pod labels (tests use them to steer simulated nodes). */
  podLabels?: Record<string, string>;
}

const DEFAULT_RESOURCES = { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } };

/** The Deployment name of a track. */
export const deploymentName = (name: string, track: 'stable' | 'canary') => (track === 'canary' ? `${name}-canary` : name);

/**
 * A Deployment secure by default: non-root, read-only root filesystem with an emptyDir for
 * temporary files, no capabilities, seccomp RuntimeDefault, no service-account token;
 * readiness and liveness on the Open Inference Protocol health routes; Prometheus scrape
 * annotations; provenance annotations for `kubectl describe`.
 */
export function deploymentManifest(o: WorkloadOptions): V1Deployment {
  const labels = { 'app.kubernetes.io/name': o.name, 'app.kubernetes.io/managed-by': FIELD_MANAGER, [`${ANNOTATION}/track`]: o.track };
  const resources = structuredClone((o.resources as typeof DEFAULT_RESOURCES) ?? DEFAULT_RESOURCES) as { limits?: Record<string, string | number>; requests?: Record<string, string | number> };
  if (o.gpu > 0) resources.limits = { ...(resources.limits ?? {}), 'nvidia.com/gpu': o.gpu };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: deploymentName(o.name, o.track), namespace: o.namespace, labels, annotations: o.annotations },
    spec: {
      replicas: o.replicas,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { 'app.kubernetes.io/name': o.name, [`${ANNOTATION}/track`]: o.track } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: { ...labels, ...(o.podLabels ?? {}) },
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(o.port), 'prometheus.io/path': '/metrics', ...o.annotations },
        },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
          ...(o.tolerations ? { tolerations: o.tolerations as never } : {}),
          containers: [
            {
              name: 'model-server',
              image: o.image,
              ports: [{ name: 'http', containerPort: o.port, protocol: 'TCP' }],
              env: [{ name: 'PORT', value: String(o.port) }],
              resources: resources as never,
              readinessProbe: { httpGet: { path: '/v2/health/ready', port: 'http' as never }, periodSeconds: 5, failureThreshold: 3 },
              livenessProbe: { httpGet: { path: '/v2/health/live', port: 'http' as never }, periodSeconds: 10, failureThreshold: 3, initialDelaySeconds: 10 },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  };
}

/** The Service in front of both tracks (it selects the app, not the track). */
export function serviceManifest(o: { name: string; namespace: string; port: number; type: 'ClusterIP' | 'LoadBalancer'; annotations: Record<string, string> }): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: o.name, namespace: o.namespace, labels: { 'app.kubernetes.io/name': o.name, 'app.kubernetes.io/managed-by': FIELD_MANAGER }, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(o.port), ...o.annotations } },
    spec: { type: o.type, selector: { 'app.kubernetes.io/name': o.name }, ports: [{ name: 'http', port: 80, targetPort: 'http' as never, protocol: 'TCP' }] },
  };
}

export function ingressManifest(o: { name: string; namespace: string; host: string }) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: o.name, namespace: o.namespace, labels: { 'app.kubernetes.io/name': o.name, 'app.kubernetes.io/managed-by': FIELD_MANAGER } },
    spec: { rules: [{ host: o.host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: o.name, port: { number: 80 } } } }] } }] },
  };
}

export function namespaceManifest(name: string): V1Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'app.kubernetes.io/managed-by': FIELD_MANAGER } } };
}

/** Replaces the image of every container whose image is from `repository` (any tag or digest). */
export function substituteImage(doc: Record<string, unknown>, repository: string, image: string): number {
  let count = 0;
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    for (const key of ['containers', 'initContainers']) {
      const list = obj[key];
      if (Array.isArray(list)) {
        for (const c of list as { image?: string }[]) {
          if (typeof c.image === 'string' && imageRepository(c.image) === repository) {
            c.image = image;
            count++;
          }
        }
      }
    }
    for (const value of Object.values(obj)) visit(value);
  };
  visit(doc);
  return count;
}

/** The repository part of an image reference (registry included), without tag or digest. */
export function imageRepository(ref: string): string {
  const at = ref.indexOf('@');
  let repo = at >= 0 ? ref.slice(0, at) : ref;
  const slash = repo.lastIndexOf('/');
  const colon = repo.lastIndexOf(':');
  if (colon > slash) repo = repo.slice(0, colon);
  return repo;
}
