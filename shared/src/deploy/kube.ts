import type { AppsV1Api, CoreV1Api, KubeConfig, KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { ConfigurationError } from '../errors.js';
import { FIELD_MANAGER } from './manifests.js';

/** The API clients deploy-k8s uses, made from one KubeConfig. */
export interface Kube {
  apps: AppsV1Api;
  core: CoreV1Api;
  objects: KubernetesObjectApi;
  server: string;
}

export async function connect(kc: KubeConfig): Promise<Kube> {
  const k8s = await import('@kubernetes/client-node');
  return { apps: kc.makeApiClient(k8s.AppsV1Api), core: kc.makeApiClient(k8s.CoreV1Api), objects: k8s.KubernetesObjectApi.makeApiClient(kc), server: kc.getCurrentCluster()?.server ?? '' };
}

/** HTTP status of a client-node error (ApiException), if any. */
export const statusOf = (error: unknown): number | undefined => (error as { code?: number }).code;

/**
 * Turns API refusals into errors a user can act on: 403 names the verb and resource that
 * RBAC refused (from the API server's message), 401 the credentials; others pass through.
 */
export function explainKubeError(error: unknown, what: string): Error {
  const code = statusOf(error);
  const body = (error as { body?: unknown }).body;
  let message = '';
  try {
    message = (typeof body === 'string' ? JSON.parse(body) : body)?.message ?? '';
  } catch {
    message = typeof body === 'string' ? body.slice(0, 300) : '';
  }
  if (code === 403) {
    return new ConfigurationError(`Kubernetes refused to ${what} (403 Forbidden): ${message || 'forbidden'}. Grant the kubeconfig's user that verb on that resource (RBAC Role/RoleBinding).`, { input: 'kubeconfig' });
  }
  if (code === 401) return new ConfigurationError(`Kubernetes did not accept the kubeconfig's credentials while trying to ${what} (401 Unauthorized).`, { input: 'kubeconfig' });
  if (code === 422 || code === 400) return new ConfigurationError(`Kubernetes rejected the object while trying to ${what} (${code}): ${message}`, { input: 'manifests' });
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: unknown }).code;
  if (typeof cause === 'string' && /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|CERT|DEPTH_ZERO/.test(cause)) {
    return new ConfigurationError(`cannot reach the Kubernetes API server to ${what} (${cause}). Check the kubeconfig's server address and certificate.`, { input: 'kubeconfig' });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Server-side apply under the suite's field manager (force: the suite owns these fields). */
export async function apply<T extends KubernetesObject>(kube: Kube, object: T): Promise<T> {
  const { PatchStrategy } = await import('@kubernetes/client-node');
  const what = `apply ${object.kind} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata?.name}`;
  try {
    return (await kube.objects.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply)) as T;
  } catch (error) {
    throw explainKubeError(error, what);
  }
}

/** Deletes an object (foreground: its pods first) and waits until it is gone; false when there was none. */
export async function removeObject(kube: Kube, object: KubernetesObject, timeoutMs = 120_000): Promise<boolean> {
  const what = `delete ${object.kind} ${object.metadata?.namespace}/${object.metadata?.name}`;
  try {
    await kube.objects.delete(object, undefined, undefined, undefined, undefined, 'Foreground');
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw explainKubeError(error, what);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await kube.objects.read(object as never);
    } catch (error) {
      if (statusOf(error) === 404) return true;
      throw explainKubeError(error, what);
    }
    if (Date.now() > deadline) throw new Error(`${object.kind} ${object.metadata?.namespace}/${object.metadata?.name} was still being deleted after ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
