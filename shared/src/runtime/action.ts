import * as core from '@actions/core';
import { createArtifactCache } from '../cache/artifact-cache.js';
import { isUserError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { InputReader } from './inputs.js';
import type { Stage } from './stage.js';

/** The Logger port on @actions/core: groups, annotations, debug only when step debugging is on. */
export function createActionsLogger(): Logger {
  return {
    info: (m) => core.info(m),
    warning: (m) => core.warning(m),
    error: (m) => core.error(m),
    debug: (m) => core.debug(m),
    group: (name, fn) => core.group(name, fn),
  };
}

/** Reads an input through @actions/core (INPUT_<NAME>, hyphens kept). */
export const readActionInput: InputReader = (name) => core.getInput(name);

/**
 * Runs a stage as a GitHub Action: inputs → core function → outputs and job summary.
 * The one top-level catch: a user's mistake is reported as its message alone; anything
 * else is a bug and keeps its stack. Failure sets a non-zero exit code; no process.exit.
 */
export async function runAction<O, R>(stage: Stage<O, R>, getInputs: () => O): Promise<void> {
  const logger = createActionsLogger();
  try {
    for (const name of stage.secretInputs ?? []) {
      const secret = core.getInput(name);
      if (!secret) continue;
      core.setSecret(secret);
      // A multi-line secret (a kubeconfig): also mask each credential value on its own line.
      for (const m of secret.matchAll(/^\s*[\w-]*(?:token|key|password|secret|certificate)[\w-]*:\s*["']?([^\s"']{8,})/gim)) core.setSecret(m[1]);
    }
    const options = getInputs();
    const result = await stage.execute(options, { logger, cache: createArtifactCache(logger), via: 'action', env: process.env });
    const outputs = stage.outputs(result);
    for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(stage.summary(result), true).write();
    const failure = stage.failure?.(result);
    if (failure) core.setFailed(failure);
  } catch (error) {
    if (isUserError(error)) core.setFailed(error.message);
    else {
      core.error((error as Error)?.stack ?? String(error));
      core.setFailed(`${stage.name} failed unexpectedly: ${(error as Error)?.message ?? error}. This is a bug in mlops-actions; the stack trace is above.`);
    }
  }
}
