import { existsSync, readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { requireComponent } from './run-action.js';

export const ADMIN_KUBECONFIG = '/var/cache/mlops-actions/k8s/admin.kubeconfig';

/** The local control plane (scripts/services/k8s.sh start): its admin kubeconfig when it answers. */
export async function k8sReady(): Promise<{ content: string; kc: KubeConfig } | undefined> {
  let ready = false;
  let kc: KubeConfig | undefined;
  if (existsSync(ADMIN_KUBECONFIG)) {
    const k8s = await import('@kubernetes/client-node');
    kc = new k8s.KubeConfig();
    kc.loadFromFile(ADMIN_KUBECONFIG);
    const nodes = await kc.makeApiClient(k8s.CoreV1Api).listNode().catch(() => undefined);
    ready = Boolean(nodes?.items.some((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')));
  }
  return requireComponent(ready, 'the Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok nodes)', 'bash scripts/services/k8s.sh install && bash scripts/services/k8s.sh start')
    ? { content: readFileSync(ADMIN_KUBECONFIG, 'utf8'), kc: kc! }
    : undefined;
}

/** A fake image reference by digest (kwok runs no containers, so nothing is pulled). */
export const fakeImage = (repo: string, n: number) => `${repo}@sha256:${n.toString(16).padStart(64, 'a')}`;
