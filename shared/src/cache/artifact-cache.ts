import { randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { ArtifactKind } from '../artifact/schema.js';
import { readArtifact, replaceDirectory, type LoadedArtifact } from '../artifact/store.js';
import type { Logger } from '../logger.js';

/**
 * Where finished artifacts are kept between runs, by a key over their inputs. On a runner
 * with the Actions cache service this is @actions/cache; elsewhere (the CLI, a laptop, tests)
 * a local directory. Caching is an optimisation: failures are warnings, never step failures.
 */
export interface ArtifactCache {
  readonly kind: 'actions' | 'local';
  /** Where the cache lives, for logs. */
  readonly location: string;
  /**
   * Restores the directory saved under `key` onto `target`, or else the newest entry whose
   * key starts with one of `restoreKeys`; returns the key restored, undefined on a miss.
   */
  restore(key: string, target: string, restoreKeys?: string[]): Promise<string | undefined>;
  /** Saves the directory `target` under `key`. */
  save(key: string, target: string): Promise<void>;
}

/** The default local cache directory: $MLOPS_CACHE_DIR, else $XDG_CACHE_HOME/mlops-actions, else ~/.cache/mlops-actions. */
export function defaultLocalCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MLOPS_CACHE_DIR) return resolve(env.MLOPS_CACHE_DIR);
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mlops-actions');
}

export function createLocalCache(root: string, logger: Logger): ArtifactCache {
  const safe = (key: string) => key.replace(/[^A-Za-z0-9._-]/g, '_');
  const entry = (key: string) => join(root, safe(key));
  const isDir = (path: string) => stat(path).then((s) => (s.isDirectory() ? s : null), () => null);
  /** The exact key, else the newest entry under one of the prefixes. */
  async function find(key: string, restoreKeys: string[]): Promise<string | undefined> {
    if (await isDir(entry(key))) return safe(key);
    const names = await readdir(root).catch(() => [] as string[]);
    for (const prefix of restoreKeys.map(safe)) {
      let best: { name: string; mtime: number } | undefined;
      for (const name of names.filter((n) => n.startsWith(prefix) && !n.includes('.tmp-'))) {
        const info = await isDir(join(root, name));
        if (info && (!best || info.mtimeMs > best.mtime)) best = { name, mtime: info.mtimeMs };
      }
      if (best) return best.name;
    }
    return undefined;
  }
  return {
    kind: 'local',
    location: root,
    async restore(key, target, restoreKeys = []) {
      const found = await find(key, restoreKeys);
      if (!found) return undefined;
      const source = join(root, found);
      const finalPath = resolve(target);
      await mkdir(dirname(finalPath), { recursive: true });
      const tmp = join(dirname(finalPath), `.${basename(finalPath)}.restore-${randomBytes(6).toString('hex')}`);
      try {
        await cp(source, tmp, { recursive: true });
        await replaceDirectory(tmp, finalPath);
        return found;
      } catch (error) {
        await rm(tmp, { recursive: true, force: true });
        logger.warning(`local cache: could not restore ${key}: ${(error as Error).message}`);
        return undefined;
      }
    },
    async save(key, target) {
      const finalPath = entry(key);
      if (await stat(finalPath).then(() => true, () => false)) return;
      const tmp = `${finalPath}.tmp-${randomBytes(6).toString('hex')}`;
      try {
        await mkdir(root, { recursive: true });
        await cp(resolve(target), tmp, { recursive: true });
        await rename(tmp, finalPath);
      } catch (error) {
        await rm(tmp, { recursive: true, force: true });
        logger.warning(`local cache: could not save ${key}: ${(error as Error).message}`);
      }
    },
  };
}

/** The GitHub Actions cache service through @actions/cache (loaded only when used). */
export function createActionsCache(logger: Logger): ArtifactCache {
  return {
    kind: 'actions',
    location: 'GitHub Actions cache',
    async restore(key, target, restoreKeys = []) {
      try {
        const cache = await import('@actions/cache');
        return await cache.restoreCache([resolve(target)], key, restoreKeys);
      } catch (error) {
        logger.warning(`Actions cache: restore of ${key} failed, computing instead: ${(error as Error).message}`);
        return undefined;
      }
    },
    async save(key, target) {
      try {
        const cache = await import('@actions/cache');
        await cache.saveCache([resolve(target)], key);
      } catch (error) {
        const name = (error as Error).name;
        // Another job saved the same key first: the content is the same, nothing to do.
        if (name === 'ReserveCacheError') logger.info(`Actions cache: ${key} already saved.`);
        else logger.warning(`Actions cache: save of ${key} failed: ${(error as Error).message}`);
      }
    },
  };
}

/** The Actions cache when the runner provides the service, else the local directory. */
export function createArtifactCache(logger: Logger, env: NodeJS.ProcessEnv = process.env): ArtifactCache {
  if (env.ACTIONS_RESULTS_URL || env.ACTIONS_CACHE_URL) return createActionsCache(logger);
  return createLocalCache(defaultLocalCacheDir(env), logger);
}

/**
 * Restores a finished artifact from the cache and verifies it (schema, every file's hash);
 * null on a miss or when the cached copy fails verification (then the work is redone).
 */
export async function restoreVerified<K extends ArtifactKind>(cache: ArtifactCache, key: string, target: string, kind: K, logger: Logger, hitNote: string): Promise<LoadedArtifact<K> | null> {
  return logger.group('Restore from cache', async () => {
    if (!(await cache.restore(key, target))) {
      logger.info(`Cache miss for ${key} (${cache.location}).`);
      return null;
    }
    try {
      const loaded = await readArtifact(target, { kind });
      logger.info(`Cache hit for ${key}: restored ${loaded.manifest.digest} to ${target}; ${hitNote}.`);
      return loaded;
    } catch (error) {
      logger.warning(`The cached ${kind} failed verification, so it is made again: ${(error as Error).message}`);
      return null;
    }
  });
}
