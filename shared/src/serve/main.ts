import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { readNumber, readString, type InputReader } from '../runtime/inputs.js';
import { DEFAULT_SERVER_OPTIONS, startModelServer, type RunningServer } from './server.js';
import { loadServedModel } from './served-model.js';

export const SERVE_FLAGS = ['model', 'port', 'host', 'max-batch-size', 'max-wait-ms', 'body-limit', 'backend'] as const;

/**
 * `mlops serve`: loads a Model artifact and serves it until SIGTERM/SIGINT, then drains the
 * requests in flight and stops. PORT in the environment overrides the default port.
 */
export async function serve(read: InputReader, logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  const modelPath = readString(read, 'model');
  if (!modelPath) throw new ConfigurationError('is required: the Model artifact directory to serve.', { input: 'model' });
  const port = readNumber(read, 'port', Number(env.PORT || DEFAULT_SERVER_OPTIONS.port), { integer: true, min: 0, max: 65535 });
  const model = await loadServedModel(modelPath, { backend: (readString(read, 'backend', 'auto') as 'auto'), logger, env });
  const running = await startModelServer(model, {
    port,
    host: readString(read, 'host', env.HOST || DEFAULT_SERVER_OPTIONS.host),
    maxBatchSize: readNumber(read, 'max-batch-size', Number(env.MAX_BATCH_SIZE || DEFAULT_SERVER_OPTIONS.maxBatchSize), { integer: true, min: 1 }),
    maxWaitMs: readNumber(read, 'max-wait-ms', Number(env.MAX_WAIT_MS || DEFAULT_SERVER_OPTIONS.maxWaitMs), { min: 0 }),
    bodyLimit: readNumber(read, 'body-limit', Number(env.BODY_LIMIT || DEFAULT_SERVER_OPTIONS.bodyLimit), { integer: true, min: 1 }),
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    running.drain().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return running;
}
