import { existsSync } from 'node:fs';
import { requireComponent } from './run-action.js';

export const BASE_IMAGE = 'mlops-actions/node24-base:24.22.3';
export const REGISTRY = '127.0.0.1:5000';
export const AUTH_REGISTRY = '127.0.0.1:5001';
export const AUTH = { username: 'mlops', password: 'mlops-secret' };

/** Docker Engine, the two local registries and the offline base image (scripts/services/*.sh). */
export async function dockerReady(): Promise<boolean> {
  let ok = existsSync('/var/run/docker.sock');
  if (ok) {
    const { default: Docker } = await import('dockerode');
    const docker = new Docker({ socketPath: '/var/run/docker.sock' });
    ok = await docker.ping().then(() => true, () => false);
    ok &&= await docker.getImage(BASE_IMAGE).inspect().then(() => true, () => false);
    ok &&= await fetch(`http://${REGISTRY}/v2/`).then((r) => r.ok, () => false);
    ok &&= await fetch(`http://${AUTH_REGISTRY}/v2/`).then((r) => r.status === 401, () => false);
  }
  return requireComponent(ok, 'Docker Engine with the local registries and the base image', 'bash scripts/services/docker.sh install && bash scripts/services/docker.sh start && bash scripts/services/base-image.sh');
}

/** The registry's Docker-Content-Digest for repo:tag, or the HTTP status when missing. */
export async function registryDigest(registry: string, name: string, tag: string, auth?: { username: string; password: string }): Promise<string | number> {
  const headers: Record<string, string> = { accept: 'application/vnd.docker.distribution.manifest.v2+json' };
  if (auth) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const r = await fetch(`http://${registry}/v2/${name}/manifests/${tag}`, { method: 'HEAD', headers });
  return r.ok ? r.headers.get('docker-content-digest')! : r.status;
}
