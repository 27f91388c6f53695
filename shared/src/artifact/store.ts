import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { ConfigurationError } from '../errors.js';
import { artifactDigest, hashFile } from './digest.js';
import {
  API_VERSION,
  ARTIFACT_KINDS,
  manifestSchemas,
  type ArtifactKind,
  type ArtifactManifest,
  type ArtifactSpec,
  type FileEntry,
  type LineageEntry,
  type Producer,
  type RunInfo,
} from './schema.js';

export const MANIFEST_FILE = 'artifact.json';

/** What an artifact is, apart from its files and spec (which the builder makes). */
export interface ArtifactHeader<K extends ArtifactKind> {
  kind: K;
  name: string;
  inputs: LineageEntry[];
  producer: Producer;
  /** Fixed creation time (tests); defaults to now. */
  createdAt?: Date;
  /** Measurements of the run (not part of the digest). */
  run?: RunInfo;
}

/**
 * Writes an artifact atomically: `build` fills a temporary sibling directory and returns the
 * spec; the files are hashed, the manifest validated and written, and only then is the
 * directory renamed onto `target`. A crash or an error leaves no half-written artifact.
 */
export async function writeArtifact<K extends ArtifactKind>(
  target: string,
  header: ArtifactHeader<K>,
  build: (dir: string) => Promise<ArtifactSpec<K>>,
): Promise<ArtifactManifest<K>> {
  const finalPath = resolve(target);
  await mkdir(dirname(finalPath), { recursive: true });
  const tmp = join(dirname(finalPath), `.${basename(finalPath)}.tmp-${randomBytes(6).toString('hex')}`);
  await mkdir(tmp);
  try {
    const spec = await build(tmp);
    const files = await hashTree(tmp);
    const manifest = {
      apiVersion: API_VERSION,
      kind: header.kind,
      name: header.name,
      digest: artifactDigest({ kind: header.kind, spec, files, inputs: header.inputs }),
      inputs: header.inputs,
      producer: header.producer,
      createdAt: (header.createdAt ?? new Date()).toISOString(),
      files,
      ...(header.run ? { run: header.run } : {}),
      spec,
    };
    const parsed = manifestSchemas[header.kind].safeParse(manifest);
    if (!parsed.success) {
      // The builder made an artifact its own schema rejects: a bug, so keep the details.
      throw new Error(`internal error: ${header.kind} '${header.name}' does not match its schema: ${parsed.error.message}`);
    }
    await writeFile(join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await replaceDirectory(tmp, finalPath);
    return manifest as ArtifactManifest<K>;
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

/** Moves `source` onto `target`, replacing any directory there, with renames only. */
export async function replaceDirectory(source: string, target: string): Promise<void> {
  const old = join(dirname(target), `.${basename(target)}.old-${randomBytes(6).toString('hex')}`);
  let moved = false;
  try {
    await rename(target, old);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await rename(source, target);
  if (moved) await rm(old, { recursive: true, force: true });
}

async function hashTree(root: string): Promise<FileEntry[]> {
  const entries: FileEntry[] = [];
  for (const path of await listFiles(root)) {
    const rel = relative(root, path).split(sep).join('/');
    if (rel === MANIFEST_FILE) continue;
    entries.push({ path: rel, ...(await hashFile(path)) });
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

export interface ReadArtifactOptions<K extends ArtifactKind> {
  /** The kind the caller needs; another kind is a user error. */
  kind?: K;
  /** The input the path came from, named in error messages. */
  input?: string;
  /** Skip re-hashing the files (only for artifacts this process has just written). */
  trustFiles?: boolean;
}

/** An artifact read back: its manifest and its directory. */
export interface LoadedArtifact<K extends ArtifactKind = ArtifactKind> {
  dir: string;
  manifest: ArtifactManifest<K>;
  /** Absolute path of one of its files. */
  file(path: string): string;
}

/**
 * Reads an artifact directory (or its artifact.json), validates the manifest against the
 * kind's schema and verifies every file's size and sha256 and the digest itself, so an
 * edited or truncated file is an error naming that file, never a silently wrong result.
 */
export async function readArtifact<K extends ArtifactKind>(
  path: string,
  options: ReadArtifactOptions<K> = {},
): Promise<LoadedArtifact<K>> {
  const fail = (message: string) => new ConfigurationError(message, { input: options.input });
  let dir = resolve(path);
  if (basename(dir) === MANIFEST_FILE) dir = dirname(dir);
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const exists = await stat(dir).then(() => true, () => false);
      throw fail(
        exists
          ? `'${path}' is not an mlops artifact: it has no ${MANIFEST_FILE}. Pass the directory an mlops action wrote (its output path).`
          : `'${path}' does not exist. Pass the directory an mlops action wrote (its output path), or 'artifact:<name>' for a workflow artifact.`,
      );
    }
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw fail(`${join(path, MANIFEST_FILE)} is not valid JSON (${(error as Error).message}); the artifact is damaged.`);
  }
  const kind = (raw as { kind?: unknown })?.kind;
  if ((raw as { apiVersion?: unknown })?.apiVersion !== API_VERSION) {
    throw fail(`'${path}' has apiVersion ${JSON.stringify((raw as { apiVersion?: unknown })?.apiVersion)}; this version of mlops-actions reads '${API_VERSION}'.`);
  }
  if (typeof kind !== 'string' || !(ARTIFACT_KINDS as readonly string[]).includes(kind)) {
    throw fail(`'${path}' has an unknown kind ${JSON.stringify(kind)}; valid kinds: ${ARTIFACT_KINDS.join(', ')}.`);
  }
  if (options.kind && kind !== options.kind) {
    throw fail(`'${path}' is ${article(kind)} ${kind} artifact, but ${article(options.kind)} ${options.kind} is needed here.`);
  }
  const parsed = manifestSchemas[kind as ArtifactKind].safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw fail(`${join(path, MANIFEST_FILE)} does not match the ${kind} schema: ${problems}`);
  }
  const manifest = parsed.data as ArtifactManifest<K>;
  if (!options.trustFiles) await verifyFiles(dir, manifest, fail);
  const expected = artifactDigest(manifest);
  if (expected !== manifest.digest) {
    throw fail(`${kind} '${manifest.name}' at '${path}' has been edited: its artifact.json records digest ${manifest.digest}, but its content hashes to ${expected}.`);
  }
  return { dir, manifest, file: (p: string) => join(dir, ...p.split('/')) };
}

async function verifyFiles(dir: string, manifest: ArtifactManifest, fail: (m: string) => Error): Promise<void> {
  const what = `${manifest.kind} '${manifest.name}'`;
  for (const entry of manifest.files) {
    const path = join(dir, ...entry.path.split('/'));
    let actual: { sha256: string; bytes: number };
    try {
      actual = await hashFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw fail(`file '${entry.path}' of ${what} is missing from ${dir}.`);
      }
      throw error;
    }
    if (actual.bytes !== entry.bytes) {
      throw fail(`file '${entry.path}' of ${what} is ${actual.bytes} bytes, but the artifact recorded ${entry.bytes}: it was truncated or replaced. Re-create the artifact.`);
    }
    if (actual.sha256 !== entry.sha256) {
      throw fail(`file '${entry.path}' of ${what} has sha256 ${actual.sha256}, but the artifact recorded ${entry.sha256}: it was modified. Re-create the artifact.`);
    }
  }
}

const article = (word: string) => (/^[AEIOU]/.test(word) ? 'an' : 'a');

/** The lineage entry that names an artifact as an input of another. */
export function lineageOf(manifest: ArtifactManifest): LineageEntry {
  return { kind: manifest.kind, name: manifest.name, digest: manifest.digest };
}
