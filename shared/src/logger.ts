/**
 * The logging port every core function takes. The action wires it to @actions/core
 * (groups, annotations); the CLI wires it to stderr, so stdout stays machine-readable JSON.
 */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /** Runs one phase of the work inside a collapsible group. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** A logger writing plain lines to a stream (stderr by default). */
export function createStreamLogger(
  stream: { write(chunk: string): unknown } = process.stderr,
  options: { debug?: boolean } = {},
): Logger {
  const line = (text: string) => void stream.write(`${text}\n`);
  return {
    info: (m) => line(m),
    warning: (m) => line(`warning: ${m}`),
    error: (m) => line(`error: ${m}`),
    debug: (m) => {
      if (options.debug) line(`debug: ${m}`);
    },
    async group(name, fn) {
      line(`== ${name}`);
      return fn();
    },
  };
}

/** A logger that drops everything (for library callers that want silence). */
export const silentLogger: Logger = {
  info: () => {},
  warning: () => {},
  error: () => {},
  debug: () => {},
  group: (_name, fn) => fn(),
};
