import type { ArtifactManifest } from '../artifact/schema.js';
import { formatMetricValue } from '../evaluate/rules.js';
import { escapeMarkdown, table } from './markdown.js';

const fmt = (v: number | undefined | null, digits?: number) => (v === undefined || v === null || !Number.isFinite(v) ? 'n/a' : digits !== undefined ? v.toFixed(digits) : formatMetricValue(v));

/** Renders a MonitoringReport: SLO verdict first, then load, server, predictions, logs. */
export function renderMonitoringMarkdown(report: ArtifactManifest<'MonitoringReport'>, options: { title?: string } = {}): string {
  const s = report.spec;
  const out: string[] = [];
  out.push(`### ${s.passed ? '✅' : '🚨'} ${escapeMarkdown(options.title ?? `Model monitoring: ${s.modelName}`)}`, '');
  const breached = s.slo.filter((r) => !r.passed);
  out.push(s.slo.length === 0 ? '**SLOs: none set** (add `slo` rules).' : s.passed ? `**SLOs met**: all ${s.slo.length} rules hold.` : `**SLO breached**: ${breached.length} of ${s.slo.length} rules.`, '');
  for (const r of s.slo) out.push(`- ${r.passed ? '✅' : '❌'} ${escapeMarkdown(r.message)}`);
  if (s.slo.length) out.push('');
  if (s.rollback) out.push(`**Rolled back** to revision ${escapeMarkdown(s.rollback.toRevision)} (\`${s.rollback.image}\`).`, '');
  out.push(`Target: ${escapeMarkdown(s.target.description)} · ${s.window.seconds.toFixed(1)} s of load from ${s.load.connections} connections${s.load.rate ? ` at ${s.load.rate} req/s` : ''} · ${escapeMarkdown(s.load.examples)}`, '');
  const c = s.client;
  out.push(
    table(
      ['client', 'value'],
      [
        ['requests', `${c.requests} (${fmt(c.rps, 1)} req/s)`],
        ['errors', `${c.errors} (${fmt(c.errorRate * 100, 2)}%) · codes ${Object.entries(c.codes).map(([k, v]) => `${k}: ${v}`).join(', ')}`],
        ['latency p50 / p95 / p99', `${fmt(c.latencyMs.p50, 2)} / ${fmt(c.latencyMs.p95, 2)} / ${fmt(c.latencyMs.p99, 2)} ms`],
        ['latency mean / max', `${fmt(c.latencyMs.mean, 2)} / ${fmt(c.latencyMs.max, 2)} ms`],
      ],
    ),
    '',
  );
  if (s.server) {
    out.push(
      table(
        ['server (/metrics)', 'value'],
        [
          ['p95 latency', `${fmt(s.server.p95LatencyMs, 2)} ms`],
          ['5xx rate', `${fmt((s.server.errorRate ?? NaN) * 100, 2)}%`],
          ['mean batch size', fmt(s.server.meanBatchSize, 2)],
          ['memory', `${fmt(s.server.memoryMb, 1)} MB`],
          ['CPU', `${fmt(s.server.cpuPercent, 1)}%`],
        ],
      ),
      '',
    );
  }
  if (s.sanity) out.push(`Predictions: ${s.sanity.examples - s.sanity.mismatches} of ${s.sanity.examples} served predictions match the model run in-process (max |difference| ${s.sanity.maxAbsDiff.toExponential(2)}).`, '');
  if (s.logs) {
    const l = s.logs;
    out.push(`<details${l.topErrors.length ? ' open' : ''}><summary>Logs: ${l.lines} lines from ${escapeMarkdown(l.source)} · ${Object.entries(l.byLevel).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'} · ${l.restarts} restarts</summary>`, '');
    if (l.topErrors.length) {
      out.push(table(['count', 'error message (pattern)', 'first', 'last'], l.topErrors.map((e) => [e.count, escapeMarkdown(e.pattern), escapeMarkdown(e.first ?? ''), escapeMarkdown(e.last ?? '')]), ['r', 'l', 'l', 'l']), '');
    }
    if (l.terminations.length) out.push(`Last terminations: ${l.terminations.map(escapeMarkdown).join('; ')}`, '');
    out.push('</details>', '');
  }
  out.push(`<sub>Report \`${report.digest.slice(0, 19)}…\`${report.inputs.map((i) => ` · ${i.kind} ${escapeMarkdown(i.name)} \`${i.digest.slice(0, 19)}…\``).join('')}</sub>`, '');
  return `${out.join('\n').trimEnd()}\n`;
}
