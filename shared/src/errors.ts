/**
 * A mistake in what the user asked for (an input, a file, a rule), as opposed to a bug.
 * Its message says which input, what was wrong and what would be right; it is reported
 * without a stack trace. Every other error keeps its stack.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  /** The input (or CLI flag) the mistake is in, when there is one. */
  readonly input?: string;

  constructor(message: string, options: { input?: string; cause?: unknown } = {}) {
    super(options.input ? `Input '${options.input}': ${message}` : message, { cause: options.cause });
    this.input = options.input;
  }
}

/** True when the error is the user's to fix (report the message only). */
export function isUserError(error: unknown): error is ConfigurationError {
  return error instanceof ConfigurationError;
}

/** "did you mean …" for a value close to one of the valid choices, or ''. */
export function didYouMean(value: string, choices: readonly string[]): string {
  const v = value.toLowerCase();
  let best = '';
  let bestDistance = Infinity;
  for (const choice of choices) {
    const d = editDistance(v, choice.toLowerCase());
    if (d < bestDistance) {
      best = choice;
      bestDistance = d;
    }
  }
  return best && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
