import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { ConfigurationError, didYouMean } from '../errors.js';

/**
 * Loads credentials: the kubeconfig content (from a secret) through a private temporary file
 * (mode 0600, removed before returning), or the in-cluster service account when empty.
 * Nothing of the content is ever logged or echoed in errors.
 */
export async function loadKubeConfig(content: string, context: string, env: NodeJS.ProcessEnv = process.env): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  if (!content.trim()) {
    if (!env.KUBERNETES_SERVICE_HOST) {
      throw new ConfigurationError('is empty and this runner is not inside a cluster (KUBERNETES_SERVICE_HOST is unset). Pass the kubeconfig content from a secret, e.g. kubeconfig: ${{ secrets.KUBECONFIG }}.', { input: 'kubeconfig' });
    }
    kc.loadFromCluster();
    return kc;
  }
  let doc: unknown;
  try {
    doc = parseYaml(content);
  } catch (error) {
    const where = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new ConfigurationError(`is not valid YAML${where ? ` (line ${where})` : ''}; pass the whole kubeconfig file content.`, { input: 'kubeconfig' });
  }
  const d = doc as { clusters?: unknown; contexts?: unknown; users?: unknown } | null;
  if (!d || typeof d !== 'object' || !Array.isArray(d.clusters) || !Array.isArray(d.contexts) || !Array.isArray(d.users)) {
    throw new ConfigurationError('is not a kubeconfig: it needs clusters, contexts and users lists (apiVersion: v1, kind: Config).', { input: 'kubeconfig' });
  }
  const base = env.RUNNER_TEMP || tmpdir();
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(join(base, 'mlops-kube-'));
  const file = join(dir, 'config');
  try {
    await writeFile(file, content, { mode: 0o600 });
    kc.loadFromFile(file);
  } catch (error) {
    throw new ConfigurationError(`could not be loaded: ${(error as Error).message.split('\n')[0]}`, { input: 'kubeconfig' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (context) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(context)) throw new ConfigurationError(`'${context}' is not a context of the kubeconfig${didYouMean(context, names)}; it has ${names.join(', ')}.`, { input: 'context' });
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) throw new ConfigurationError('has no current context with a cluster; set context.', { input: 'kubeconfig' });
  return kc;
}
