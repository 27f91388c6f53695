import { createArtifactCache } from '../cache/artifact-cache.js';
import { didYouMean, isUserError, ConfigurationError } from '../errors.js';
import { parseFlags } from '../runtime/flags.js';
import { createStreamLogger } from '../logger.js';
import { stages } from '../stages/index.js';
import { serve, SERVE_FLAGS } from '../serve/main.js';
import { VERSION } from '../version.js';

const USAGE = `mlops ${VERSION}: the mlops-actions stages on the command line

usage: mlops <stage> [--<input> <value>]...
       mlops <stage> --help
       mlops serve --model <Model artifact> [--port 8080] [--max-batch-size 64] [--max-wait-ms 0]

Flags are named exactly like the action's inputs. Outputs are printed as JSON on stdout;
logs go to stderr. Stages: ${Object.keys(stages).join(', ')}.`;

/** Runs the CLI; returns the exit code (the bin sets process.exitCode). */
export async function main(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const logger = createStreamLogger(io.stderr, { debug: Boolean(process.env.MLOPS_DEBUG) });
  try {
    if (name === 'serve') {
      const flags = parseFlags(rest, SERVE_FLAGS, 'serve');
      await serve((input) => flags.get(input) ?? '', logger);
      return 0; // keeps serving until SIGTERM
    }
    const stage = stages[name];
    if (!stage) throw new ConfigurationError(`unknown stage '${name}'${didYouMean(name, Object.keys(stages))}; stages: ${Object.keys(stages).join(', ')}.`);
    if (rest.includes('--help')) {
      const lines = stage.inputs.map((i) => `  --${i}${stage.defaults[i] !== undefined ? ` (default: ${stage.defaults[i]})` : ''}`);
      io.stdout.write(`usage: mlops ${name} [flags]\n\n${lines.join('\n')}\n\nSee action-catalog.md for what each input means.\n`);
      return 0;
    }
    const flags = parseFlags(rest, stage.inputs, name);
    const options = stage.parseInputs((input) => flags.get(input) ?? '');
    const result = await stage.execute(options, { logger, cache: createArtifactCache(logger), via: 'cli', env: process.env });
    io.stdout.write(`${JSON.stringify(stage.outputs(result), null, 2)}\n`);
    const failure = stage.failure?.(result);
    if (failure) {
      logger.error(failure);
      return 1;
    }
    return 0;
  } catch (error) {
    if (isUserError(error)) logger.error(error.message);
    else logger.error(`unexpected failure (a bug in mlops-actions): ${(error as Error)?.stack ?? error}`);
    return 1;
  }
}
