export interface LogSummary {
  lines: number;
  jsonLines: number;
  byLevel: Record<string, number>;
  /** Most frequent error (and fatal) messages by pattern, with counts and first/last times. */
  topErrors: { pattern: string; count: number; first?: string; last?: string; example: string }[];
}

const LEVEL_WORDS: [RegExp, string][] = [
  [/\b(fatal|panic|critical)\b/i, 'fatal'],
  [/\b(error|err|exception|traceback|failed)\b/i, 'error'],
  [/\b(warn|warning)\b/i, 'warn'],
  [/\bdebug\b/i, 'debug'],
];

function normalizeLevel(value: unknown): string {
  if (typeof value === 'number') return value >= 60 ? 'fatal' : value >= 50 ? 'error' : value >= 40 ? 'warn' : value >= 30 ? 'info' : 'debug'; // pino levels
  const v = String(value).toLowerCase();
  if (['fatal', 'panic', 'critical', 'crit', 'emerg', 'alert'].includes(v)) return 'fatal';
  if (['error', 'err'].includes(v)) return 'error';
  if (['warn', 'warning'].includes(v)) return 'warn';
  if (['debug', 'trace'].includes(v)) return 'debug';
  return 'info';
}

/** A message with its variable parts (numbers, ids, hex, quoted strings) replaced, so repeats group together. */
export function messagePattern(message: string): string {
  return message
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b(sha256:)?[0-9a-f]{12,}\b/gi, '<hex>')
    .replace(/"[^"]*"|'[^']*'/g, '<str>')
    .replace(/\b\d+(\.\d+)?(ms|s|%)?\b/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

/**
 * Counts log lines by level (JSON lines by their level field, text lines by keywords) and
 * groups error messages by pattern. Lines may start with an RFC 3339 timestamp (Docker and
 * Kubernetes add one on request).
 */
export function analyzeLogs(lines: string[]): LogSummary {
  const summary: LogSummary = { lines: 0, jsonLines: 0, byLevel: {}, topErrors: [] };
  const errors = new Map<string, LogSummary['topErrors'][number]>();
  for (const raw of lines) {
    if (!raw.trim()) continue;
    summary.lines++;
    let time: string | undefined;
    let text = raw;
    const ts = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))\s(.*)$/.exec(raw);
    if (ts) [, time, text] = ts;
    let level = 'info';
    let message = text.trim();
    if (message.startsWith('{')) {
      try {
        const entry = JSON.parse(message) as Record<string, unknown>;
        summary.jsonLines++;
        level = normalizeLevel(entry.level ?? entry.severity ?? entry.lvl ?? 'info');
        message = String(entry.msg ?? entry.message ?? entry.error ?? message);
        if (entry.error && entry.msg) message = `${entry.msg}: ${entry.error}`;
        time ??= typeof entry.time === 'string' ? entry.time : typeof entry.timestamp === 'string' ? entry.timestamp : undefined;
      } catch {
        level = LEVEL_WORDS.find(([re]) => re.test(message))?.[1] ?? 'info';
      }
    } else {
      level = LEVEL_WORDS.find(([re]) => re.test(message))?.[1] ?? 'info';
    }
    summary.byLevel[level] = (summary.byLevel[level] ?? 0) + 1;
    if (level === 'error' || level === 'fatal') {
      const pattern = messagePattern(message.split('\n')[0]);
      const seen = errors.get(pattern);
      if (seen) {
        seen.count++;
        if (time) seen.last = time;
      } else {
        errors.set(pattern, { pattern, count: 1, first: time, last: time, example: message.slice(0, 300) });
      }
    }
  }
  summary.topErrors = [...errors.values()].sort((a, b) => b.count - a.count).slice(0, 10);
  return summary;
}
