import { ConfigurationError } from '../errors.js';

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REPOSITORY = /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/** Validates an image repository (registry host optional), e.g. ghcr.io/acme/digits. */
export function parseRepository(text: string): { repository: string; registry: string } {
  const repository = text.trim();
  if (!REPOSITORY.test(repository)) {
    throw new ConfigurationError(`'${repository}' is not an image repository; use lower-case names like ghcr.io/acme/digits or 127.0.0.1:5000/models/digits (no tag or digest here: tags go in 'tags').`, { input: 'image' });
  }
  const first = repository.split('/')[0];
  const hasRegistry = repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return { repository, registry: hasRegistry ? first : 'docker.io' };
}

/**
 * The tags to push: the given ones, or derived ones — the release tag as semver (v1.2.3 →
 * 1.2.3, 1.2, 1), sha-<short commit>, model-<first 12 hex of the model digest>.
 */
export function deriveTags(given: string[], env: NodeJS.ProcessEnv, modelDigest: string): string[] {
  const tags = given.length ? given : [];
  if (!given.length) {
    const ref = env.GITHUB_REF ?? '';
    const release = /^refs\/tags\/v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/.exec(ref);
    if (release) {
      const [, major, minor, patch, pre] = release;
      tags.push(`${major}.${minor}.${patch}${pre ?? ''}`);
      if (!pre) tags.push(`${major}.${minor}`, major);
    }
    if (env.GITHUB_SHA) tags.push(`sha-${env.GITHUB_SHA.slice(0, 7)}`);
    tags.push(`model-${modelDigest.replace(/^sha256:/, '').slice(0, 12)}`);
  }
  for (const tag of tags) {
    if (!TAG.test(tag)) throw new ConfigurationError(`'${tag}' is not a valid image tag (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-').`, { input: 'tags' });
  }
  return [...new Set(tags)];
}
