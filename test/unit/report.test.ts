import { describe, expect, test } from 'vitest';
import type { ArtifactManifest, EvaluationSpec } from '../../shared/src/artifact/schema.js';
import { GITHUB_COMMENT_LIMIT, markerLine, renderComment } from '../../shared/src/comment/post.js';
import { renderEvaluationMarkdown } from '../../shared/src/report/evaluation.js';

function report(classes: string[], overrides: Partial<EvaluationSpec> = {}, modelName = 'mlp'): ArtifactManifest<'EvaluationReport'> {
  const k = classes.length;
  const spec: EvaluationSpec = {
    task: 'classification',
    split: 'test',
    rows: 100 * k,
    modelName,
    classes,
    metrics: { accuracy: 0.93, f1_macro: 0.92, log_loss: 0.21, ...Object.fromEntries(classes.map((c) => [`recall[${c}]`, 0.9])) },
    intervals: { accuracy: [0.91, 0.95], f1_macro: [0.9, 0.94], log_loss: [0.18, 0.25] },
    perClass: classes.map((name) => ({ name, precision: 0.9, recall: 0.9, f1: 0.9, support: 100 })),
    confusion: classes.map((_, i) => classes.map((__, j) => (i === j ? 90 : j === (i + 1) % k ? 10 : 0))),
    gate: {
      passed: false,
      results: [
        { rule: 'accuracy >= 0.9', kind: 'threshold', metric: 'accuracy', observed: 0.93, threshold: 0.9, passed: true, message: 'accuracy 0.93 [0.91, 0.95] meets >= 0.9' },
        { rule: `recall[${classes[0]}] >= 0.95`, kind: 'threshold', metric: `recall[${classes[0]}]`, observed: 0.9, threshold: 0.95, passed: false, message: `recall[${classes[0]}] 0.9 is below 0.95` },
      ],
    },
    baseline: { name: 'mlp-evaluation', digest: `sha256:${'b'.repeat(64)}`, metrics: { accuracy: 0.95, f1_macro: 0.92, log_loss: 0.2 }, source: 'cache' },
    history: [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, metrics: { accuracy: 0.5 + epoch / 10 }, valLoss: 1.1 / epoch, valMetrics: { accuracy: 0.45 + epoch / 10 } })),
    lineage: { model: `sha256:${'1'.repeat(64)}`, dataset: `sha256:${'2'.repeat(64)}` },
    ...overrides,
  };
  return {
    apiVersion: 'mlops-actions/v1',
    kind: 'EvaluationReport',
    name: `${modelName}-evaluation`,
    digest: `sha256:${'3'.repeat(64)}`,
    inputs: [],
    producer: { action: 'evaluate-gate', version: '0.1.0', via: 'action', sha: 'abcdef0123456789', ref: 'refs/heads/feature', runUrl: 'https://github.com/o/r/actions/runs/7' },
    createdAt: '2026-12-03T00:00:00.000Z',
    files: [],
    spec,
  };
}

/** Rows of the first markdown table after a heading line that contains `after`. */
function tableAfter(md: string, after: string): string[][] {
  const lines = md.split('\n');
  let i = lines.findIndex((l) => l.includes(after));
  while (i < lines.length && !lines[i].startsWith('|')) i++;
  const rows: string[][] = [];
  for (; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i].slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  return rows;
}

describe('evaluation report markdown', () => {
  const md = renderEvaluationMarkdown(report(['cat', 'dog', 'bird']));

  test('verdict first, then every rule in words', () => {
    const lines = md.split('\n');
    expect(lines[0]).toBe('### ❌ Model evaluation: mlp');
    expect(lines[2]).toBe('**Gate failed**: 1 of 2 rules broken.');
    expect(lines[4]).toBe('- ✅ accuracy 0.93 \\[0.91, 0.95\\] meets \\>= 0.9');
    expect(lines[5]).toBe('- ❌ recall\\[cat\\] 0.9 is below 0.95');
  });

  test('headline metrics with interval, baseline, delta and arrow', () => {
    const rows = tableAfter(md, '**Metrics**');
    expect(rows[0]).toEqual(['metric', 'value', '95% CI', 'baseline', 'Δ']);
    expect(rows[2]).toEqual(['`accuracy`', '**0.93**', '[0.91, 0.95]', '0.95', '-0.02 ▼ 🔴']);
    expect(rows[4]).toEqual(['`log_loss`', '**0.21**', '[0.18, 0.25]', '0.2', '+0.01 ▲ 🔴']);
    expect(rows.slice(2).every((r) => r.length === 5)).toBe(true);
  });

  test('per-class table, confusion matrix in a collapsed details block', () => {
    expect(tableAfter(md, 'Per-class metrics').slice(2).map((r) => r[0])).toEqual(['cat', 'dog', 'bird']);
    const confusionAt = md.indexOf('<details><summary>Confusion matrix');
    expect(confusionAt).toBeGreaterThan(0);
    const confusion = tableAfter(md.slice(confusionAt), 'Confusion matrix');
    expect(confusion[0]).toEqual(['true \\ predicted', 'cat', 'dog', 'bird']);
    expect(confusion[2]).toEqual(['cat', '**90**', '10', '0']);
    expect(md.indexOf('</details>', confusionAt)).toBeGreaterThan(confusionAt);
  });

  test('training curves as Mermaid xychart-beta, train and validation lines', () => {
    const charts = [...md.matchAll(/```mermaid\n(xychart-beta[\s\S]*?)```/g)].map((m) => m[1]);
    expect(charts).toHaveLength(2);
    expect(charts[0]).toContain('x-axis "epoch" [1, 2, 3]');
    expect(charts[0]).toContain('line [1, 0.5, 0.3333]');
    expect(charts[0]).toContain('line [1.1, 0.55, 0.3667]');
    expect(charts[1]).toMatch(/title "Accuracy/);
  });

  test('lineage: digests, commit, ref and a link to the run', () => {
    expect(md).toMatch(/Dataset `sha256:222222222222…` → Model mlp `sha256:111111111111…` → Report `sha256:333333333333…`/);
    expect(md).toContain('commit abcdef0');
    expect(md).toContain('[workflow run](https://github.com/o/r/actions/runs/7)');
  });

  test('include leaves sections out', () => {
    const only = renderEvaluationMarkdown(report(['a', 'b']), { include: ['metrics'] });
    expect(only).toContain('**Metrics**');
    expect(only).not.toContain('Per-class');
    expect(only).not.toContain('mermaid');
    expect(only).not.toContain('workflow run');
  });
});

describe('hostile names are escaped', () => {
  const hostile = ['<img src=x onerror=alert(1)>', 'a|b', '@octocat', '**bold** [link](http://evil)', '</details><script>x</script>'];
  const r = report(hostile, {}, 'model <b>x</b> @team');
  r.producer.ref = 'refs/heads/<script>@admin';
  const md = renderEvaluationMarkdown(r);

  test('no raw HTML, links or mentions from data', () => {
    expect(md).not.toMatch(/(^|[^\\])<(img|script|b>)/m); // only escaped: \<img renders as text
    expect(md).toContain('\\<img src=x onerror=alert\\(1\\)\\>');
    expect(md).not.toMatch(/(^|[^\\])\[link\]\(http/);
    expect(md).not.toMatch(/@octocat|@team|@admin/); // a zero-width space follows every @
    expect(md).toContain('@\u200boctocat');
  });

  test('tables keep their column count', () => {
    for (const heading of ['Per-class metrics', 'Confusion matrix']) {
      const rows = tableAfter(md.slice(md.indexOf(heading)), heading);
      expect(new Set(rows.map((row) => row.length)).size, heading).toBe(1);
    }
  });

  test('the marker cannot close its HTML comment', () => {
    const line = markerLine('x --> <script> @team');
    expect(line).toBe('<!-- mlops-actions:post-metrics-comment marker=x_-___script___team -->');
    expect(line.indexOf('-->')).toBe(line.length - 3);
  });
});

describe('GitHub comment size limit', () => {
  const many = Array.from({ length: 400 }, (_, i) => `class-${i}-with-a-rather-long-name`);

  test('an oversize report drops per-class and confusion first, with a note and a link', () => {
    const full = renderComment([report(many)], { marker: 'm', title: '', include: ['metrics', 'per-class', 'confusion', 'curves', 'lineage'], maxRows: 1000, limit: Number.MAX_SAFE_INTEGER });
    expect(full.body.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
    const cut = renderComment([report(many)], { marker: 'm', title: '', include: ['metrics', 'per-class', 'confusion', 'curves', 'lineage'], maxRows: 1000, fullReportUrl: 'https://github.com/o/r/actions/runs/7' });
    expect(cut.truncated).toBe(true);
    expect(cut.body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(cut.body.startsWith(markerLine('m'))).toBe(true);
    expect(cut.body).toContain('**Gate failed**');
    expect(cut.body).not.toContain('Per-class metrics');
    expect(cut.body).not.toContain('Confusion matrix');
    expect(cut.body).toContain('mermaid');
    expect(cut.body).toMatch(/shortened to fit GitHub's 65,536-character comment limit: per-class metrics and the confusion matrix were left out\. The full report is in the \[job summary and artifacts of the run\]\(https:\/\/github.com\/o\/r\/actions\/runs\/7\)/);
  });

  test('a small report is left whole', () => {
    const small = renderComment([report(['a', 'b'])], { marker: 'm', title: 'T', include: ['metrics', 'per-class', 'confusion', 'curves', 'lineage'], maxRows: 50 });
    expect(small.truncated).toBe(false);
    expect(small.body).toContain('Per-class metrics');
    expect(small.body).toContain('### ❌ T');
  });
});
