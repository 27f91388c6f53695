import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ArtifactManifest } from '../artifact/schema.js';
import { resolveArtifactInput } from '../artifact/transfer.js';
import { ConfigurationError } from '../errors.js';
import { renderEvaluationMarkdown, type ReportSection } from '../report/evaluation.js';
import { renderMonitoringMarkdown } from '../report/monitoring.js';
import { escapeMarkdown } from '../report/markdown.js';
import type { StageContext } from '../runtime/stage.js';
import type { Comment, GitHubPort } from './github.js';

export const COMMENT_MODES = ['sticky', 'new', 'summary'] as const;
export type CommentMode = (typeof COMMENT_MODES)[number];

/** GitHub's limit on a comment body. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface PostOptions {
  reports: string[];
  token: string;
  mode: CommentMode;
  /** '' derives it from the model names. */
  marker: string;
  title: string;
  include: ReportSection[];
  /** undefined: from the event. */
  prNumber?: number;
  maxRows: number;
  output: string;
}

export interface PostResult {
  markdownPath: string;
  markdown: string;
  comment?: Comment & { action: 'created' | 'updated'; target: string };
  truncated: boolean;
}

/** The hidden line that identifies a sticky comment; safe inside an HTML comment. */
export function markerLine(marker: string): string {
  // Only plain characters: the marker can neither close the comment nor carry a mention.
  return `<!-- mlops-actions:post-metrics-comment marker=${marker.replace(/[^A-Za-z0-9._:+/-]/g, '_').replace(/-{2,}/g, '-')} -->`;
}

/** Where to comment: the pull request of the event, or the commit. */
export async function eventTarget(env: NodeJS.ProcessEnv, prNumber?: number): Promise<{ pr?: number; sha?: string; eventName?: string }> {
  if (prNumber) return { pr: prNumber };
  let event: { pull_request?: { number?: number; head?: { sha?: string } }; issue?: { number?: number; pull_request?: unknown } } = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      event = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8'));
    } catch {
      // no payload: treat as an event without a pull request
    }
  }
  const pr = event.pull_request?.number ?? (event.issue?.pull_request ? event.issue.number : undefined);
  return { pr, sha: env.GITHUB_SHA, eventName: env.GITHUB_EVENT_NAME };
}

interface Rendered {
  body: string;
  truncated: boolean;
}

/**
 * Renders the reports into one body under GitHub's limit: drops per-class and confusion
 * details first, then the curves, and says so with a link to the full report.
 */
export type Report = ArtifactManifest<'EvaluationReport'> | ArtifactManifest<'MonitoringReport'>;

function renderReport(r: Report, options: { include: ReportSection[]; maxRows: number; title?: string }): string {
  return r.kind === 'MonitoringReport' ? renderMonitoringMarkdown(r, { title: options.title }) : renderEvaluationMarkdown(r, options);
}

const modelNameOf = (r: Report) => r.spec.modelName;

export function renderComment(reports: Report[], options: { marker: string; title: string; include: ReportSection[]; maxRows: number; fullReportUrl?: string; limit?: number }): Rendered {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const attempts: { drop: ReportSection[]; note?: string }[] = [
    { drop: [] },
    { drop: ['per-class', 'confusion'], note: 'per-class metrics and the confusion matrix were left out' },
    { drop: ['per-class', 'confusion', 'curves'], note: 'per-class metrics, the confusion matrix and the training curves were left out' },
  ];
  const link = options.fullReportUrl ? ` The full report is in the [job summary and artifacts of the run](${options.fullReportUrl}).` : ' The full report is in the job summary.';
  for (const attempt of attempts) {
    const include = options.include.filter((s) => !attempt.drop.includes(s));
    const parts = reports.map((r) => renderReport(r, { include, maxRows: options.maxRows, title: reports.length === 1 && options.title ? options.title : undefined }));
    const header = reports.length > 1 && options.title ? `## ${escapeMarkdown(options.title)}\n\n` : '';
    const note = attempt.note ? `\n> [!NOTE]\n> This report was shortened to fit GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString('en-US')}-character comment limit: ${attempt.note}.${link}\n` : '';
    const body = `${markerLine(options.marker)}\n${header}${parts.join('\n---\n\n')}${note}`;
    if (body.length <= limit) return { body, truncated: Boolean(attempt.note) };
  }
  const note = `\n\n> [!NOTE]\n> This report was cut at GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString('en-US')}-character comment limit.${link}\n`;
  const full = `${markerLine(options.marker)}\n${reports.map((r) => renderReport(r, { include: ['metrics'], maxRows: options.maxRows })).join('\n---\n\n')}`;
  // Cut at a line boundary so no table row or tag is left half-written.
  const room = limit - note.length;
  const cut = full.slice(0, room);
  return { body: `${cut.slice(0, Math.max(0, cut.lastIndexOf('\n')))}${note}`, truncated: true };
}

/**
 * post-metrics-comment's core: renders the reports, writes the markdown file and returns
 * it for the job summary, and (by mode) creates or updates the pull request's sticky
 * comment, a new comment, or a commit comment when the event has no pull request.
 */
export async function postMetricsComment(options: PostOptions, context: StageContext, github?: (repo: { owner: string; repo: string }) => Promise<GitHubPort>): Promise<PostResult> {
  const { logger, env } = context;
  const reports: Report[] = [];
  for (const ref of options.reports) {
    // EvaluationReports and MonitoringReports alike: read (and verified) once, then the kind is checked.
    const { manifest } = await resolveArtifactInput(ref, { input: 'report', logger, env });
    if (manifest.kind !== 'EvaluationReport' && manifest.kind !== 'MonitoringReport') {
      throw new ConfigurationError(`'${ref}' is a ${manifest.kind} artifact; report takes EvaluationReports (evaluate-gate) or MonitoringReports (monitor-model).`, { input: 'report' });
    }
    reports.push(manifest as Report);
  }
  const marker = options.marker || `mlops-${reports.every((r) => r.kind === 'MonitoringReport') ? 'monitoring' : 'metrics'}:${[...new Set(reports.map(modelNameOf))].join('+')}`;
  const runUrl = env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY ? `${env.GITHUB_SERVER_URL || 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  const full = renderComment(reports, { marker, title: options.title, include: options.include, maxRows: options.maxRows, limit: Number.MAX_SAFE_INTEGER });
  const rendered = renderComment(reports, { marker, title: options.title, include: options.include, maxRows: options.maxRows, fullReportUrl: runUrl });
  if (rendered.truncated) logger.warning(`The report is longer than GitHub's ${GITHUB_COMMENT_LIMIT}-character comment limit; the comment leaves details out and points to the job summary.`);

  const safeName = marker.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'metrics';
  const markdownPath = resolve(options.output, `${safeName}.md`);
  await mkdir(resolve(options.output), { recursive: true });
  await writeFile(`${markdownPath}.tmp`, full.body);
  await rename(`${markdownPath}.tmp`, markdownPath);
  const result: PostResult = { markdownPath, markdown: full.body, truncated: rendered.truncated };

  if (options.mode === 'summary') {
    logger.info('mode: summary; writing the job summary only.');
    return result;
  }
  if (!env.GITHUB_REPOSITORY || !/^[^/]+\/[^/]+$/.test(env.GITHUB_REPOSITORY)) {
    throw new ConfigurationError(`mode ${options.mode} comments on GitHub and needs GITHUB_REPOSITORY (owner/repo), which is not set here. Use mode: summary outside a workflow.`, { input: 'mode' });
  }
  if (!options.token) {
    throw new ConfigurationError(`is empty; mode ${options.mode} needs a token with pull-requests: write (or issues: write), e.g. github-token: \${{ github.token }}.`, { input: 'github-token' });
  }
  const [owner, repo] = env.GITHUB_REPOSITORY.split('/');
  const target = await eventTarget(env, options.prNumber);
  if (!github) throw new Error('no GitHub client factory');
  const port = explainRefusals(await github({ owner, repo }), `${owner}/${repo}`);
  const hidden = markerLine(marker);

  if (target.pr) {
    if (options.mode === 'sticky') {
      const comments = await port.listIssueComments(target.pr);
      const mine = comments.filter((c) => c.body.includes(hidden));
      if (mine.length) {
        const updated = await port.updateIssueComment(mine[mine.length - 1].id, rendered.body);
        logger.info(`Updated the sticky comment ${updated.url} (searched ${comments.length} comments).`);
        result.comment = { ...updated, action: 'updated', target: `pull request #${target.pr}` };
        return result;
      }
    }
    const created = await port.createIssueComment(target.pr, rendered.body);
    logger.info(`Commented on pull request #${target.pr}: ${created.url}`);
    result.comment = { ...created, action: 'created', target: `pull request #${target.pr}` };
    return result;
  }
  if (!target.sha) {
    throw new ConfigurationError(`this ${target.eventName ?? 'run'} has no pull request and no commit (GITHUB_SHA) to comment on; set pr-number, or mode: summary.`, { input: 'pr-number' });
  }
  if (options.mode === 'sticky') {
    const mine = (await port.listCommitComments(target.sha)).filter((c) => c.body.includes(hidden));
    if (mine.length) {
      const updated = await port.updateCommitComment(mine[mine.length - 1].id, rendered.body);
      logger.info(`Updated the commit comment ${updated.url}.`);
      result.comment = { ...updated, action: 'updated', target: `commit ${target.sha.slice(0, 7)}` };
      return result;
    }
  }
  const created = await port.createCommitComment(target.sha, rendered.body);
  logger.info(`No pull request in this ${target.eventName ?? 'event'}: commented on commit ${target.sha.slice(0, 7)}: ${created.url}`);
  result.comment = { ...created, action: 'created', target: `commit ${target.sha.slice(0, 7)}` };
  return result;
}

/** GitHub's refusals the user can fix (permissions, a wrong pull request) as clear errors. */
function explainRefusals(port: GitHubPort, repository: string): GitHubPort {
  const wrap = <A extends unknown[], R>(what: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (error) {
        const status = (error as { status?: number }).status;
        const message = (error as Error).message;
        if (status === 401) throw new ConfigurationError(`GitHub rejected the token (401 ${message}) while trying to ${what}. Pass a valid token, e.g. github-token: \${{ github.token }}.`, { input: 'github-token' });
        if (status === 403) throw new ConfigurationError(`GitHub refused to ${what} in ${repository} (403 ${message}). Give the job permissions: pull-requests: write (or issues: write) for pull request comments, contents: write for commit comments; on pull requests from forks GITHUB_TOKEN is read-only, so use mode: summary there.`, { input: 'github-token' });
        if (status === 404) throw new ConfigurationError(`GitHub found nothing to ${what} in ${repository} (404 ${message}). Check pr-number and that the token can see the repository.`, { input: 'pr-number' });
        throw error;
      }
    };
  return {
    listIssueComments: wrap('list the pull request comments', port.listIssueComments),
    createIssueComment: wrap('create a pull request comment', port.createIssueComment),
    updateIssueComment: wrap('update the pull request comment', port.updateIssueComment),
    listCommitComments: wrap('list the commit comments', port.listCommitComments),
    createCommitComment: wrap('create a commit comment', port.createCommitComment),
    updateCommitComment: wrap('update the commit comment', port.updateCommitComment),
  };
}
