import { ConfigurationError, didYouMean } from '../errors.js';

/** Reads one input by its action.yml name; '' when unset. The action and the CLI each supply one. */
export type InputReader = (name: string) => string;

export function readString(read: InputReader, name: string, fallback = ''): string {
  return read(name).trim() || fallback;
}

export function readRequired(read: InputReader, name: string, hint: string): string {
  const value = read(name).trim();
  if (!value) throw new ConfigurationError(`is required: ${hint}`, { input: name });
  return value;
}

export function readChoice<T extends string>(read: InputReader, name: string, choices: readonly T[], fallback: T): T {
  const value = read(name).trim();
  if (!value) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new ConfigurationError(`'${value}' is not one of ${choices.join(', ')}${didYouMean(value, choices)}.`, { input: name });
}

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

/** A YAML 1.2 core boolean, as @actions/core's getBooleanInput reads it; '' gives the fallback. */
export function readBoolean<F extends boolean | undefined>(read: InputReader, name: string, fallback: F): boolean | F {
  const value = read(name).trim();
  if (!value) return fallback;
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new ConfigurationError(`'${value}' is not a boolean; use true or false.`, { input: name });
}

export function readNumber(read: InputReader, name: string, fallback: number, range: { min?: number; max?: number; integer?: boolean } = {}): number {
  const text = read(name).trim();
  if (!text) return fallback;
  const value = Number(text);
  const kind = range.integer ? 'an integer' : 'a number';
  const bounds =
    range.min !== undefined && range.max !== undefined
      ? ` from ${range.min} to ${range.max}`
      : range.min !== undefined
        ? ` of at least ${range.min}`
        : range.max !== undefined
          ? ` of at most ${range.max}`
          : '';
  if (!Number.isFinite(value) || (range.integer && !Number.isInteger(value)) || (range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max)) {
    throw new ConfigurationError(`'${text}' is not valid; expected ${kind}${bounds}.`, { input: name });
  }
  return value;
}

/** A comma- or newline-separated list, items trimmed, empty items dropped. */
export function readList(read: InputReader, name: string): string[] {
  return read(name)
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
