import { ConfigurationError } from '../errors.js';

export type Task = 'classification' | 'regression';

/** Integer-valued numeric labels with at most this many distinct values read as classes under task: auto. */
export const AUTO_CLASS_LIMIT = 20;

export interface EncodedLabels {
  task: Task;
  /** Class index (classification) or target value (regression) per row. */
  values: Int32Array | Float32Array;
  classes?: string[];
}

/**
 * Decides the task (when auto) and encodes the labels: class names in a stable order
 * (numeric order when every label is a number, else code-point order), or float targets.
 */
export function encodeLabels(labels: readonly string[], task: Task | 'auto', labelName: string, classNames?: string[]): EncodedLabels {
  const distinct = [...new Set(labels)];
  const numeric = distinct.every((l) => l !== '' && Number.isFinite(Number(l)));
  const resolved: Task =
    task !== 'auto'
      ? task
      : !numeric || (distinct.every((l) => Number.isInteger(Number(l))) && distinct.length <= AUTO_CLASS_LIMIT)
        ? 'classification'
        : 'regression';

  if (resolved === 'regression') {
    if (!numeric) {
      const bad = distinct.find((l) => !Number.isFinite(Number(l)));
      throw new ConfigurationError(`regression needs numeric labels, but column '${labelName}' holds ${JSON.stringify(bad)}. Use task: classification for named classes.`, { input: 'task' });
    }
    return { task: resolved, values: Float32Array.from(labels, Number) };
  }

  const sorted = numeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (sorted.length < 2) {
    throw new ConfigurationError(
      `column '${labelName}' has a single class (${JSON.stringify(sorted[0])}); classification needs at least two. Check the label column, or use task: regression.`,
      { input: 'label' },
    );
  }
  let classes = sorted;
  if (classNames && classNames.length) {
    // Names for numeric class ids 0..n-1 (IDX files and integer-coded CSVs carry no names).
    const ids = sorted.map(Number);
    if (!numeric || ids.some((id, i) => id !== i) || classNames.length < ids.length) {
      throw new ConfigurationError(
        `gives ${classNames.length} names, but the labels are ${numeric ? `ids ${sorted.join(', ')}` : 'already names'}; class-names names the integer labels 0..n-1 in order.`,
        { input: 'class-names' },
      );
    }
    classes = classNames.slice(0, ids.length);
  }
  const index = new Map(sorted.map((name, i) => [name, i]));
  return { task: resolved, values: Int32Array.from(labels, (l) => index.get(l)!), classes };
}
