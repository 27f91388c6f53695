import type { ArtifactCache } from '../cache/artifact-cache.js';
import type { Logger } from '../logger.js';
import type { InputReader } from './inputs.js';

/** What a stage's core function gets from whichever front end runs it. */
export interface StageContext {
  logger: Logger;
  cache: ArtifactCache;
  /** Which front end runs the stage; recorded in artifacts' producer. */
  via: 'action' | 'cli';
  env: NodeJS.ProcessEnv;
}

/**
 * One stage of the pipeline, shared by the GitHub Action and the `mlops` CLI subcommand of
 * the same name: typed inputs parsed from named strings, one core function, named outputs.
 */
export interface Stage<Options, Result> {
  /** The action's folder name and the CLI subcommand. */
  name: string;
  /** Every input name the stage reads (the action.yml inputs; the CLI's flags). */
  inputs: readonly string[];
  /** Inputs holding credentials: masked in the log before anything else runs. */
  secretInputs?: readonly string[];
  /** Defaults as documented in action.yml (the parser applies the same; a test keeps them equal). */
  defaults: Readonly<Record<string, string>>;
  parseInputs(read: InputReader): Options;
  execute(options: Options, context: StageContext): Promise<Result>;
  outputs(result: Result): Record<string, string>;
  /** The job summary (markdown). */
  summary(result: Result): string;
  /**
   * A result that should fail the step after its outputs are set (a failed gate): the
   * message for the failure, or undefined. Outputs and summary are written either way.
   */
  failure?(result: Result): string | undefined;
}

/** Wraps a reader so unset inputs read as the stage's documented default. */
export function withDefaults(read: InputReader, defaults: Readonly<Record<string, string>>): InputReader {
  return (name) => {
    const value = read(name);
    return value.trim() === '' ? (defaults[name] ?? '') : value;
  };
}
