import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { readArtifact, writeArtifact } from '../../shared/src/artifact/store.js';
import { markerLine } from '../../shared/src/comment/post.js';
import { startGitHubStandIn, type GitHubStandIn } from '../helpers/github-standin.js';
import { repoRoot, runAction } from '../helpers/run-action.js';

const TOKEN = 'ghs_mlopsTestToken_5b1d8e';
const OWNER = 'octo-org';
const REPO = 'models';
const SHA = '9f2c1e7a4b3d5f60718293a4b5c6d7e8f9012345';
let work: string;
let report: string; // digits model
let report2: string; // a second model
let standIn: GitHubStandIn;
let prEvent: string;
let pushEvent: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlops-itg-comment-'));
  const pre = await runAction('preprocess-data', { source: join(repoRoot, 'examples/digits/digits.csv'), label: 'digit', normalize: 'scale:16', output: work });
  const mlp = join(repoRoot, 'examples/models/mlp.yaml');
  const a = await runAction('train-model', { dataset: pre.outputs.dataset, model: mlp, epochs: 3, backend: 'wasm', output: work });
  const b = await runAction('train-model', { dataset: pre.outputs.dataset, model: mlp, epochs: 1, backend: 'wasm', output: work, name: 'tiny' });
  const ga = await runAction('evaluate-gate', { model: a.outputs.model, dataset: pre.outputs.dataset, thresholds: 'accuracy >= 0.5', output: work });
  const gb = await runAction('evaluate-gate', { model: b.outputs.model, dataset: pre.outputs.dataset, thresholds: 'accuracy >= 0.99', 'fail-on-gate': false, output: work });
  report = ga.outputs.report;
  report2 = gb.outputs.report;
  expect(report && report2).toBeTruthy();
  prEvent = join(work, 'pr-event.json');
  await writeFile(prEvent, JSON.stringify({ action: 'synchronize', number: 42, pull_request: { number: 42, head: { sha: SHA } }, repository: { default_branch: 'main' } }));
  pushEvent = join(work, 'push-event.json');
  await writeFile(pushEvent, JSON.stringify({ ref: 'refs/heads/main', after: SHA, repository: { default_branch: 'main' } }));
});

beforeEach(async () => {
  standIn = await startGitHubStandIn({ token: TOKEN });
  return () => standIn.close();
});
afterAll(() => undefined);

function comment(inputs: Record<string, string>, event: 'pull_request' | 'push' = 'pull_request') {
  return runAction(
    'post-metrics-comment',
    { report, 'github-token': TOKEN, output: join(work, 'md'), ...inputs },
    {
      env: {
        GITHUB_API_URL: standIn.url,
        GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
        GITHUB_EVENT_NAME: event,
        GITHUB_EVENT_PATH: event === 'pull_request' ? prEvent : pushEvent,
        GITHUB_SHA: SHA,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: '777',
      },
    },
  );
}

const listRequests = () => standIn.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/comments'));

describe('post-metrics-comment over HTTP against the OpenAPI-checked stand-in', () => {
  test('sticky: creates the comment once, then updates it; never a duplicate', async () => {
    const first = await comment({ mode: 'sticky' });
    expect(first.errors).toEqual([]);
    expect(first.code).toBe(0);
    const comments = standIn.issueComments(OWNER, REPO, 42);
    expect(comments).toHaveLength(1);
    expect(first.outputs['comment-id']).toBe(String(comments[0].id));
    expect(first.outputs['comment-url']).toBe(`https://github.com/${OWNER}/${REPO}/pull/42#issuecomment-${comments[0].id}`);
    expect(comments[0].body.startsWith(markerLine('mlops-metrics:mlp'))).toBe(true);
    expect(comments[0].body).toContain('### ✅ Model evaluation: mlp');
    expect(comments[0].body).toMatch(/Dataset `sha256:[0-9a-f]{12}…` → Model mlp/);

    const second = await comment({ mode: 'sticky' });
    expect(second.outputs['comment-id']).toBe(first.outputs['comment-id']);
    expect(standIn.issueComments(OWNER, REPO, 42)).toHaveLength(1);
    expect(standIn.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    expect(standIn.violations).toEqual([]);

    // The job summary and the markdown file hold the full report.
    const md = await readFile(first.outputs.markdown, 'utf8');
    expect(first.summary.trim()).toBe(md.trim());
  });

  test('sticky finds its comment on a later page among 250 others and updates it', async () => {
    const others = Array.from({ length: 180 }, (_, i) => `comment ${i}`);
    standIn.seedIssueComments(OWNER, REPO, 42, others, { login: 'someone' });
    const [mine] = standIn.seedIssueComments(OWNER, REPO, 42, [`${markerLine('mlops-metrics:mlp')}\nold report`]);
    standIn.seedIssueComments(OWNER, REPO, 42, others.slice(0, 70), { login: 'someone-else' });
    const run = await comment({ mode: 'sticky' });
    expect(run.errors).toEqual([]);
    expect(run.outputs['comment-id']).toBe(String(mine.id));
    const all = standIn.issueComments(OWNER, REPO, 42);
    expect(all).toHaveLength(251);
    expect(all.find((c) => c.id === mine.id)!.body).toContain('### ✅ Model evaluation: mlp');
    expect(listRequests().map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3']);
    expect(standIn.violations).toEqual([]);
  });

  test('two models keep two sticky comments; mode new adds one every run', async () => {
    await comment({ mode: 'sticky' });
    await comment({ mode: 'sticky', report: report2 });
    await comment({ mode: 'sticky', report: report2 });
    const bodies = standIn.issueComments(OWNER, REPO, 42).map((c) => c.body.split('\n')[0]);
    expect(bodies).toEqual([markerLine('mlops-metrics:mlp'), markerLine('mlops-metrics:tiny')]);
    await comment({ mode: 'new' });
    await comment({ mode: 'new' });
    expect(standIn.issueComments(OWNER, REPO, 42)).toHaveLength(4);
    expect(standIn.violations).toEqual([]);
  });

  test('retries 5xx answers with backoff', async () => {
    standIn.failNext(2, { status: 502 });
    const run = await comment({ mode: 'sticky' });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(standIn.issueComments(OWNER, REPO, 42)).toHaveLength(1);
    expect(standIn.requests.length).toBeGreaterThanOrEqual(4); // 2 failures, then list + create
  });

  test('waits out a rate limit and carries on', async () => {
    standIn.failNext(1, { status: 403, rateLimit: true });
    const run = await comment({ mode: 'sticky' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/::warning::GitHub rate limit hit on GET .*retrying in \d+s/);
    expect(standIn.issueComments(OWNER, REPO, 42)).toHaveLength(1);
  });

  test('without a pull request: a commit comment (sticky), or only the summary', async () => {
    const first = await comment({ mode: 'sticky' }, 'push');
    expect(first.errors).toEqual([]);
    expect(standIn.commitComments(OWNER, REPO, SHA)).toHaveLength(1);
    expect(first.stdout).toMatch(/No pull request in this push: commented on commit 9f2c1e7/);
    const again = await comment({ mode: 'sticky' }, 'push');
    expect(again.errors).toEqual([]);
    expect(again.outputs['comment-id']).toBe(first.outputs['comment-id']);
    expect(standIn.commitComments(OWNER, REPO, SHA)).toHaveLength(1);

    const before = standIn.requests.length;
    const summaryOnly = await comment({ mode: 'summary' }, 'push');
    expect(summaryOnly.code).toBe(0);
    expect(standIn.requests.length).toBe(before);
    expect(summaryOnly.outputs['comment-id']).toBe('');
    expect(summaryOnly.summary).toContain('Model evaluation: mlp');
    expect(standIn.violations).toEqual([]);
  });

  test('the token is masked and never printed', async () => {
    const run = await comment({ mode: 'sticky' });
    expect(run.stdout).toContain(`::add-mask::${TOKEN}`);
    const elsewhere = `${run.stdout.replace(`::add-mask::${TOKEN}`, '')}${run.stderr}`;
    expect(elsewhere).not.toContain(TOKEN);
    expect(standIn.requests[0].headers.authorization).toBe(`token ${TOKEN}`);
  });

  test('a missing token is a clear error', async () => {
    const run = await comment({ mode: 'sticky', 'github-token': '' });
    expect(run.code).not.toBe(0);
    expect(run.errors.join('\n')).toMatch(/Input 'github-token': is empty; mode sticky needs a token with pull-requests: write/);
  });

  test('a token GitHub rejects is reported as such, not as a bug', async () => {
    const run = await comment({ mode: 'sticky', 'github-token': 'ghs_wrong' });
    expect(run.code).not.toBe(0);
    expect(run.errors.join('\n')).toMatch(/^Input 'github-token': GitHub rejected the token \(401 .*\) while trying to list the pull request comments/);
    expect(run.stdout).not.toContain('This is a bug');
  });

  test('an oversize report is cut down under the limit (GitHub would refuse it otherwise)', async () => {
    const loaded = await readArtifact(report, { kind: 'EvaluationReport' });
    const classes = Array.from({ length: 700 }, (_, i) => `class-number-${i}-with-a-long-descriptive-name`);
    const big = await writeArtifact(join(work, 'big-report'), { kind: 'EvaluationReport', name: 'big-evaluation', inputs: loaded.manifest.inputs, producer: loaded.manifest.producer }, async () => ({
      ...loaded.manifest.spec,
      modelName: 'big',
      classes,
      perClass: classes.map((name) => ({ name, precision: 0.5, recall: 0.5, f1: 0.5, support: 10 })),
      confusion: classes.map((_, i) => classes.map((__, j) => (i === j ? 10 : 0))),
    }));
    const run = await comment({ mode: 'sticky', report: join(work, 'big-report'), 'max-rows': '1000' });
    expect(run.errors).toEqual([]);
    const [posted] = standIn.issueComments(OWNER, REPO, 42);
    expect(posted.body.length).toBeLessThanOrEqual(65_536);
    expect(posted.body).toContain("shortened to fit GitHub's 65,536-character comment limit");
    expect(posted.body).toContain('(https://github.com/octo-org/models/actions/runs/777)');
    expect(posted.body).not.toContain('Per-class metrics');
    expect((await readFile(run.outputs.markdown, 'utf8')).length).toBeGreaterThan(65_536);
    expect(big.spec.classes).toHaveLength(700);
    expect(standIn.violations).toEqual([]);
  });

  test('hostile class and model names cannot inject markup or mention anyone', async () => {
    const loaded = await readArtifact(report, { kind: 'EvaluationReport' });
    const hostile = ['<img src=x onerror=alert(1)>', 'pipe|name', '@octocat', '</details><script>'];
    await writeArtifact(join(work, 'hostile-report'), { kind: 'EvaluationReport', name: 'hostile', inputs: [], producer: loaded.manifest.producer }, async () => ({
      ...loaded.manifest.spec,
      modelName: 'evil @team <b>',
      classes: hostile,
      perClass: hostile.map((name) => ({ name, precision: 1, recall: 1, f1: 1, support: 1 })),
      confusion: hostile.map((_, i) => hostile.map((__, j) => (i === j ? 1 : 0))),
    }));
    const run = await comment({ mode: 'sticky', report: join(work, 'hostile-report') });
    expect(run.errors).toEqual([]);
    const [posted] = standIn.issueComments(OWNER, REPO, 42);
    expect(posted.body).not.toMatch(/(^|[^\\])<(img|script|b>)/m);
    expect(posted.body).not.toMatch(/@octocat|@team/);
    expect(posted.body).toContain('pipe\\|name');
  });
});
