import { ConfigurationError, didYouMean } from '../errors.js';

/** Parses `--name value`, `--name=value` and a bare `--flag` (true). */
export function parseFlags(args: string[], valid: readonly string[], stage: string): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) throw new ConfigurationError(`unexpected argument '${arg}'; flags look like --source data.csv.`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!valid.includes(name)) {
      throw new ConfigurationError(`${stage} has no input '--${name}'${didYouMean(name, valid)}. Its inputs: ${valid.map((v) => `--${v}`).join(', ')}.`);
    }
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1].startsWith('--')) value = args[++i];
    else value = 'true';
    // Repeated flags add lines, like a multi-line input.
    flags.set(name, flags.has(name) ? `${flags.get(name)}\n${value}` : value);
  }
  return flags;
}

