// Entry point of the model server bundle (lib/serve.js), as the serving image runs it:
// node lib/serve.js --model /app/model   (PORT, MAX_BATCH_SIZE, MAX_WAIT_MS, BODY_LIMIT from the environment)
import { isUserError } from '../errors.js';
import { createStreamLogger } from '../logger.js';
import { parseFlags } from '../runtime/flags.js';
import { serve, SERVE_FLAGS } from './main.js';

const logger = createStreamLogger(process.stderr);
try {
  const flags = parseFlags(process.argv.slice(2), SERVE_FLAGS, 'serve');
  await serve((name) => flags.get(name) ?? '', logger);
} catch (error) {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: isUserError(error) ? error.message : String((error as Error)?.stack ?? error) })}\n`);
  process.exitCode = 1;
}
