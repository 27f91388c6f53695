import type { ArtifactManifest, EpochRecord } from '../artifact/schema.js';
import { formatMetricValue } from '../evaluate/rules.js';
import { escapeMarkdown, table } from './markdown.js';

export const REPORT_SECTIONS = ['metrics', 'per-class', 'confusion', 'curves', 'lineage'] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];

export interface RenderOptions {
  /** Sections to include; default all. */
  include?: readonly ReportSection[];
  /** Most rows in the per-class table and classes in the confusion matrix. */
  maxRows?: number;
  title?: string;
  /** Latency measured by evaluate-gate (run info). */
  latency?: { batchExamplesPerSecond: number; singleP50Ms: number; singleP95Ms: number };
}

const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : formatMetricValue(v));

/** ▲/▼ with ✅/⚠️ by whether the change is an improvement for that metric. */
function arrow(delta: number, lowerIsBetter: boolean): string {
  if (Math.abs(delta) < 1e-12) return '→';
  const better = lowerIsBetter ? delta < 0 : delta > 0;
  return `${delta > 0 ? '▲' : '▼'}${better ? ' 🟢' : ' 🔴'}`;
}

const LOWER_IS_BETTER = new Set(['log_loss', 'mse', 'rmse', 'mae']);

/** Renders an EvaluationReport as GitHub-flavoured markdown: verdict first, then the details. */
export function renderEvaluationMarkdown(report: ArtifactManifest<'EvaluationReport'>, options: RenderOptions = {}): string {
  const include = new Set(options.include ?? REPORT_SECTIONS);
  const spec = report.spec;
  const out: string[] = [];
  const title = options.title ?? `Model evaluation: ${spec.modelName}`;
  out.push(`### ${spec.gate.passed ? '✅' : '❌'} ${escapeMarkdown(title)}`, '');
  const failed = spec.gate.results.filter((r) => !r.passed);
  out.push(
    spec.gate.results.length === 0
      ? '**Gate: no rules set** (add `thresholds` or `max-regression`).'
      : spec.gate.passed
        ? `**Gate passed**: all ${spec.gate.results.length} rules hold.`
        : `**Gate failed**: ${failed.length} of ${spec.gate.results.length} rules broken.`,
    '',
  );
  for (const r of spec.gate.results) out.push(`- ${r.passed ? '✅' : '❌'} ${escapeMarkdown(r.message)}`);
  if (spec.gate.results.length) out.push('');

  if (include.has('metrics')) {
    const headline = Object.keys(spec.intervals).length ? Object.keys(spec.intervals) : Object.keys(spec.metrics).filter((k) => !k.includes('['));
    const base = spec.baseline?.metrics;
    const rows = headline
      .filter((m) => spec.metrics[m] !== undefined)
      .map((m) => {
        const v = spec.metrics[m];
        const ci = spec.intervals[m];
        const row: string[] = [`\`${m}\``, `**${fmt(v)}**`, ci ? `[${fmt(ci[0])}, ${fmt(ci[1])}]` : ''];
        if (base) {
          const b = base[m];
          row.push(fmt(b), b === undefined ? '' : `${v - b >= 0 ? '+' : ''}${fmt(v - b)} ${arrow(v - b, LOWER_IS_BETTER.has(m))}`);
        }
        return row;
      });
    out.push(`**Metrics** on ${spec.rows.toLocaleString('en-US')} ${spec.split} rows${base ? ` vs baseline ${escapeMarkdown(spec.baseline!.name)}` : ''}`, '');
    out.push(table(['metric', 'value', '95% CI', ...(base ? ['baseline', 'Δ'] : [])], rows), '');
    if (options.latency) {
      out.push(`Latency: ${Math.round(options.latency.batchExamplesPerSecond).toLocaleString('en-US')} examples/s batched · single example p50 ${options.latency.singleP50Ms.toFixed(2)} ms, p95 ${options.latency.singleP95Ms.toFixed(2)} ms`, '');
    }
  }

  const maxRows = options.maxRows ?? 50;
  if (include.has('per-class') && spec.perClass?.length) {
    const shown = spec.perClass.slice(0, maxRows);
    out.push('<details open><summary>Per-class metrics</summary>', '');
    out.push(table(['class', 'precision', 'recall', 'f1', 'support'], shown.map((c) => [escapeMarkdown(c.name), fmt(c.precision), fmt(c.recall), fmt(c.f1), c.support]), ['l', 'r', 'r', 'r', 'r']));
    if (spec.perClass.length > shown.length) out.push('', `_${spec.perClass.length - shown.length} more classes not shown (max-rows ${maxRows})._`);
    out.push('', '</details>', '');
  }

  if (include.has('confusion') && spec.confusion && spec.classes) {
    const n = Math.min(spec.classes.length, maxRows);
    const names = spec.classes.slice(0, n).map(escapeMarkdown);
    out.push('<details><summary>Confusion matrix (rows: true class, columns: predicted)</summary>', '');
    out.push(table(['true \\ predicted', ...names], spec.confusion.slice(0, n).map((row, i) => [names[i], ...row.slice(0, n).map((v, j) => (i === j ? `**${v}**` : String(v)))])));
    if (spec.classes.length > n) out.push('', `_Showing the first ${n} of ${spec.classes.length} classes._`);
    out.push('', '</details>', '');
  }

  if (include.has('curves') && spec.history?.length) out.push(...renderCurves(spec.history));

  if (include.has('lineage')) {
    const p = report.producer;
    const lineage = [`Dataset \`${spec.lineage.dataset.slice(0, 19)}…\``, `Model ${escapeMarkdown(spec.modelName)} \`${spec.lineage.model.slice(0, 19)}…\``, `Report \`${report.digest.slice(0, 19)}…\``].join(' → ');
    const where = [p.sha ? `commit ${escapeMarkdown(p.sha.slice(0, 7))}` : '', p.ref ? `ref ${escapeMarkdown(p.ref)}` : '', p.runUrl && /^https?:\/\/[^\s()<>]+$/.test(p.runUrl) ? `[workflow run](${p.runUrl})` : ''].filter(Boolean).join(' · ');
    out.push(`<sub>${lineage}${where ? ` · ${where}` : ''}</sub>`, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Loss and accuracy per epoch, train vs validation, as Mermaid xychart-beta blocks (GitHub renders them). */
export function renderCurves(history: EpochRecord[]): string[] {
  const epochs = history.map((e) => e.epoch);
  const series = (values: (number | undefined)[]) => `[${values.map((v) => (v === undefined || !Number.isFinite(v) ? 0 : +v.toFixed(4))).join(', ')}]`;
  const chart = (title: string, train: (number | undefined)[], val: (number | undefined)[]) => {
    const all = [...train, ...val].filter((v): v is number => v !== undefined && Number.isFinite(v));
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const pad = (hi - lo) * 0.05 || 0.01;
    return [
      '```mermaid',
      'xychart-beta',
      `  title "${title} (train line 1, validation line 2)"`,
      `  x-axis "epoch" [${epochs.join(', ')}]`,
      `  y-axis "${title.toLowerCase()}" ${+(lo - pad).toFixed(4)} --> ${+(hi + pad).toFixed(4)}`,
      `  line ${series(train)}`,
      ...(val.some((v) => v !== undefined) ? [`  line ${series(val)}`] : []),
      '```',
    ];
  };
  const out = ['<details><summary>Training curves</summary>', ''];
  out.push(...chart('Loss', history.map((e) => e.loss), history.map((e) => e.valLoss)), '');
  const metric = Object.keys(history[0].metrics)[0];
  if (metric) out.push(...chart(metric[0].toUpperCase() + metric.slice(1), history.map((e) => e.metrics[metric]), history.map((e) => e.valMetrics[metric])), '');
  out.push('</details>', '');
  return out;
}
