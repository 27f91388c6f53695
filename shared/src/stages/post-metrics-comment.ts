import { COMMENT_MODES, postMetricsComment, type PostOptions, type PostResult } from '../comment/post.js';
import { createOctokitPort } from '../comment/github.js';
import { ConfigurationError, didYouMean } from '../errors.js';
import { REPORT_SECTIONS, type ReportSection } from '../report/evaluation.js';
import { readChoice, readList, readNumber, readString, type InputReader } from '../runtime/inputs.js';
import { withDefaults, type Stage } from '../runtime/stage.js';

const defaults = {
  mode: 'sticky',
  include: REPORT_SECTIONS.join(','),
  'max-rows': '50',
  output: 'mlops-artifacts',
} as const;

function parseInputs(raw: InputReader): PostOptions {
  const read = withDefaults(raw, defaults);
  const reports = read('report')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!reports.length) throw new ConfigurationError("is required: one or more EvaluationReport paths (evaluate-gate's report output) or artifact:<name>, one per line.", { input: 'report' });
  const include = readList(read, 'include').map((s) => {
    if (!(REPORT_SECTIONS as readonly string[]).includes(s)) {
      throw new ConfigurationError(`'${s}' is not a section${didYouMean(s, REPORT_SECTIONS)}; choose from ${REPORT_SECTIONS.join(', ')}.`, { input: 'include' });
    }
    return s as ReportSection;
  });
  const pr = read('pr-number').trim();
  return {
    reports,
    token: read('github-token').trim(),
    mode: readChoice(read, 'mode', COMMENT_MODES, 'sticky'),
    marker: readString(read, 'marker'),
    title: readString(read, 'title'),
    include,
    prNumber: pr ? readNumber(read, 'pr-number', 0, { integer: true, min: 1 }) : undefined,
    maxRows: readNumber(read, 'max-rows', 50, { integer: true, min: 1, max: 1000 }),
    output: readString(read, 'output', defaults.output),
  };
}

/** post-metrics-comment: evaluation reports as a sticky pull-request comment and a job summary. */
export const postMetricsCommentStage: Stage<PostOptions, PostResult> = {
  name: 'post-metrics-comment',
  inputs: ['report', 'github-token', 'mode', 'marker', 'title', 'include', 'pr-number', 'max-rows', 'output'],
  defaults,
  secretInputs: ['github-token'],
  parseInputs,
  execute: (options, context) => postMetricsComment(options, context, (repo) => createOctokitPort({ token: options.token, ...repo, logger: context.logger })),
  outputs: (r) => ({
    'comment-id': r.comment ? String(r.comment.id) : '',
    'comment-url': r.comment?.url ?? '',
    markdown: r.markdownPath,
  }),
  summary: (r) => r.markdown,
};
