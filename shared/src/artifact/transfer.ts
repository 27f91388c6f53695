import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ArtifactKind } from './schema.js';
import { readArtifact, type LoadedArtifact } from './store.js';

/** The prefix that makes an artifact input a reference to a workflow artifact of this run. */
export const ARTIFACT_REF_PREFIX = 'artifact:';

/** Fails fast, before any work, when an upload is asked for off a runner. */
export function requireRunner(env: NodeJS.ProcessEnv, input: string, what: string): void {
  if (!env.ACTIONS_RUNTIME_TOKEN) {
    throw new ConfigurationError(
      `${what} needs the GitHub Actions runner (ACTIONS_RUNTIME_TOKEN is not set here). Outside a workflow, pass the artifact's local directory instead.`,
      { input },
    );
  }
}

/**
 * Resolves an artifact input: a local directory, or `artifact:<name>` for a workflow
 * artifact an earlier job uploaded (downloaded with @actions/artifact). Either way the
 * result is validated and every file verified.
 */
export async function resolveArtifactInput<K extends ArtifactKind = ArtifactKind>(
  ref: string,
  /** kind: the kind required (any kind when absent; the caller then checks). */
  options: { kind?: K; input: string; logger: Logger; env?: NodeJS.ProcessEnv },
): Promise<LoadedArtifact<K>> {
  const env = options.env ?? process.env;
  if (!ref.startsWith(ARTIFACT_REF_PREFIX)) return readArtifact(ref, { kind: options.kind, input: options.input });
  const name = ref.slice(ARTIFACT_REF_PREFIX.length).trim();
  if (!name) throw new ConfigurationError(`'${ref}' names no artifact; write artifact:<name>.`, { input: options.input });
  requireRunner(env, options.input, `'${ref}'`);
  const { DefaultArtifactClient } = await import('@actions/artifact');
  const client = new DefaultArtifactClient();
  let id: number;
  try {
    id = (await client.getArtifact(name)).artifact.id;
  } catch (error) {
    throw new ConfigurationError(`no workflow artifact named '${name}' in this run (${(error as Error).message}). Upload it in an earlier job with upload: true and add that job to needs:.`, { input: options.input });
  }
  const dir = join(env.RUNNER_TEMP || tmpdir(), 'mlops-artifacts', name);
  options.logger.info(`Downloading workflow artifact '${name}' to ${dir}`);
  await client.downloadArtifact(id, { path: dir });
  return readArtifact(dir, { kind: options.kind, input: options.input });
}

/** Uploads an artifact directory as a workflow artifact named after the artifact. */
export async function uploadWorkflowArtifact(artifact: LoadedArtifact, options: { logger: Logger; env?: NodeJS.ProcessEnv }): Promise<string> {
  const env = options.env ?? process.env;
  requireRunner(env, 'upload', 'upload: true');
  const { DefaultArtifactClient } = await import('@actions/artifact');
  const files = [join(artifact.dir, 'artifact.json'), ...artifact.manifest.files.map((f) => artifact.file(f.path))];
  const name = artifact.manifest.name;
  await new DefaultArtifactClient().uploadArtifact(name, files, resolve(artifact.dir));
  options.logger.info(`Uploaded ${artifact.manifest.kind} '${name}' as workflow artifact '${name}'; later jobs pass ${ARTIFACT_REF_PREFIX}${name}.`);
  return `${ARTIFACT_REF_PREFIX}${name}`;
}
