import type * as ActionsGithub from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStandIn, type GitHubStandIn } from '../helpers/github-standin.js';

const TOKEN = 'ghs_standInToken123';
const repo = { owner: 'octo-org', repo: 'models' };

// @actions/github fixes its default baseUrl from GITHUB_API_URL when it is first imported, so
// start a stand-in, point the variable at it, and only then import the module (each vitest
// test file runs in its own module graph, so this file's import is the first).
const started = performance.now();
const standIn = await startGitHubStandIn({ token: TOKEN });
console.log(
  `GitHub stand-in: OpenAPI description loaded in ${standIn.descriptionLoadMs} ms (start took ${Math.round(performance.now() - started)} ms)`,
);
const savedApiUrl = process.env.GITHUB_API_URL;
process.env.GITHUB_API_URL = standIn.url;
const { getOctokit } = (await import('@actions/github')) as typeof ActionsGithub;
if (savedApiUrl === undefined) delete process.env.GITHUB_API_URL;
else process.env.GITHUB_API_URL = savedApiUrl;

afterAll(async () => {
  await standIn.close();
});

// Each test gets a fresh stand-in (cheap: the description is cached per process).
let fresh: GitHubStandIn;
beforeEach(async () => {
  fresh = await startGitHubStandIn({ token: TOKEN });
});
afterEach(async () => {
  await fresh.close();
});

function client(s: GitHubStandIn = fresh) {
  return getOctokit(TOKEN, { baseUrl: s.url });
}

function status(error: unknown): number | undefined {
  return (error as { status?: number }).status;
}

describe('GitHub stand-in', () => {
  it('creates, lists, gets, updates and deletes issue comments', async () => {
    const octokit = client();
    const created = await octokit.rest.issues.createComment({ ...repo, issue_number: 7, body: 'first' });
    expect(created.status).toBe(201);
    expect(created.data.body).toBe('first');
    expect(created.data.user?.login).toBe('github-actions[bot]');
    expect(created.data.html_url).toBe(`https://github.com/octo-org/models/pull/7#issuecomment-${created.data.id}`);
    expect(created.headers['x-ratelimit-limit']).toBe('5000');
    expect(created.headers['x-github-request-id']).toMatch(/^[0-9A-F:]+$/);
    expect(created.headers['content-type']).toBe('application/json; charset=utf-8');

    await octokit.rest.issues.createComment({ ...repo, issue_number: 7, body: 'second' });
    const listed = await octokit.rest.issues.listComments({ ...repo, issue_number: 7 });
    expect(listed.data.map((c) => c.body)).toEqual(['first', 'second']);

    const updated = await octokit.rest.issues.updateComment({ ...repo, comment_id: created.data.id, body: 'edited' });
    expect(updated.data.body).toBe('edited');
    const got = await octokit.rest.issues.getComment({ ...repo, comment_id: created.data.id });
    expect(got.data.body).toBe('edited');
    expect(fresh.issueComments('octo-org', 'models', 7).map((c) => c.body)).toEqual(['edited', 'second']);

    const deleted = await octokit.rest.issues.deleteComment({ ...repo, comment_id: created.data.id });
    expect(deleted.status).toBe(204);
    await expect(octokit.rest.issues.getComment({ ...repo, comment_id: created.data.id })).rejects.toSatisfy((e) => status(e) === 404);
    expect(fresh.issueComments('octo-org', 'models', 7).map((c) => c.body)).toEqual(['second']);

    expect(fresh.requests.map((r) => r.operationId)).toEqual([
      'issues/create-comment',
      'issues/create-comment',
      'issues/list-comments',
      'issues/update-comment',
      'issues/get-comment',
      'issues/delete-comment',
      'issues/get-comment',
    ]);
    expect(fresh.requests[0].headers.authorization).toBe(`token ${TOKEN}`);
    expect(fresh.violations).toEqual([]);
  });

  it('paginates 250 seeded comments through GitHub-format Link headers', async () => {
    fresh.seedIssueComments('octo-org', 'models', 12, Array.from({ length: 250 }, (_, i) => `comment ${i}`), { login: 'alice' });
    const octokit = client();
    const all = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: 12, per_page: 100 });
    expect(all).toHaveLength(250);
    expect(all[249].body).toBe('comment 249');
    expect(all[0].user?.login).toBe('alice');
    expect(fresh.requests).toHaveLength(3);
    expect(fresh.requests.map((r) => r.query.page)).toEqual([undefined, '2', '3']);

    const first = await octokit.rest.issues.listComments({ ...repo, issue_number: 12, per_page: 100 });
    const base = `${fresh.url}/repos/octo-org/models/issues/12/comments`;
    expect(first.headers.link).toBe(`<${base}?per_page=100&page=2>; rel="next", <${base}?per_page=100&page=3>; rel="last"`);
    const middle = await octokit.rest.issues.listComments({ ...repo, issue_number: 12, per_page: 100, page: 2 });
    expect(middle.headers.link).toBe(
      `<${base}?per_page=100&page=1>; rel="prev", <${base}?per_page=100&page=3>; rel="next", ` +
        `<${base}?per_page=100&page=3>; rel="last", <${base}?per_page=100&page=1>; rel="first"`,
    );
    // Default page size is 30; per_page is capped at 100.
    expect((await octokit.rest.issues.listComments({ ...repo, issue_number: 12 })).data).toHaveLength(30);
    expect((await octokit.rest.issues.listComments({ ...repo, issue_number: 12, per_page: 500 })).data).toHaveLength(100);
    expect(fresh.violations).toEqual([]);
  });

  it('rejects a body of the wrong type or a missing body with 422 and records the violation', async () => {
    const octokit = client();
    await expect(
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...repo, issue_number: 1, body: 123 as unknown as string }),
    ).rejects.toSatisfy((e) => status(e) === 422);
    await expect(
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...repo, issue_number: 1 } as never),
    ).rejects.toSatisfy((e) => status(e) === 422);
    expect(fresh.violations).toHaveLength(2);
    expect(fresh.violations[0]).toContain('issues/create-comment');
    expect(fresh.violations[0]).toContain('request body: /body must be string');
    expect(fresh.violations[1]).toMatch(/missing required|body/);
    expect(fresh.issueComments('octo-org', 'models', 1)).toEqual([]);
  });

  it('flags wrongly typed path parameters and unknown query parameters', async () => {
    const octokit = client();
    await expect(
      octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...repo, issue_number: 'abc' as unknown as number }),
    ).rejects.toSatisfy((e) => status(e) === 404);
    await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...repo, issue_number: 1, perpage: 5 });
    expect(fresh.violations).toHaveLength(2);
    expect(fresh.violations[0]).toContain('path parameter issue_number');
    expect(fresh.violations[1]).toContain('query parameter perpage is not described');
  });

  it('answers an unknown route with 404 and records it', async () => {
    const octokit = client();
    await expect(octokit.request('GET /repos/{owner}/{repo}/no-such-thing', repo)).rejects.toSatisfy((e) => status(e) === 404);
    await expect(octokit.request('PUT /repos/{owner}/{repo}/issues/comments/1', repo)).rejects.toSatisfy((e) => status(e) === 404);
    expect(fresh.requests[0].operationId).toBeNull();
    expect(fresh.violations).toEqual([
      'GET /repos/octo-org/models/no-such-thing: no such route in the OpenAPI description',
      'PUT /repos/octo-org/models/issues/comments/1: method PUT is not described for this path',
    ]);
  });

  it('enforces the token', async () => {
    await expect(getOctokit('wrong', { baseUrl: fresh.url }).rest.issues.listComments({ ...repo, issue_number: 1 })).rejects.toSatisfy(
      (e) => status(e) === 401,
    );
    expect(fresh.violations).toHaveLength(1);
    expect(fresh.violations[0]).toContain('authorization');
  });

  it('rejects bodies over 65536 characters the way GitHub does', async () => {
    const octokit = client();
    const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: 3, body: 'x'.repeat(65536) });
    const error = await octokit.rest.issues.createComment({ ...repo, issue_number: 3, body: 'x'.repeat(65537) }).catch((e: unknown) => e);
    expect(status(error)).toBe(422);
    const response = (error as { response: { data: { message: string; errors: unknown[] } } }).response;
    expect(response.data.message).toBe('Validation Failed');
    expect(response.data.errors).toEqual([
      { resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' },
    ]);
    await expect(octokit.rest.issues.updateComment({ ...repo, comment_id: data.id, body: 'y'.repeat(70000) })).rejects.toSatisfy(
      (e) => status(e) === 422,
    );
    expect(fresh.issueComments('octo-org', 'models', 3)).toHaveLength(1);
    expect(fresh.violations).toEqual([]); // a valid request GitHub refuses is not a violation
  });

  it('creates and lists commit comments', async () => {
    const octokit = client();
    const sha = 'a'.repeat(40);
    const created = await octokit.rest.repos.createCommitComment({ ...repo, commit_sha: sha, body: 'metrics look fine' });
    expect(created.status).toBe(201);
    expect(created.data.commit_id).toBe(sha);
    const listed = await octokit.rest.repos.listCommentsForCommit({ ...repo, commit_sha: sha });
    expect(listed.data.map((c) => c.body)).toEqual(['metrics look fine']);
    expect(fresh.commitComments('octo-org', 'models', sha).map((c) => c.body)).toEqual(['metrics look fine']);
    expect(fresh.violations).toEqual([]);
  });

  it('serves seeded pull requests', async () => {
    fresh.seedPullRequest('octo-org', 'models', 5, { title: 'Retrain', head: { ref: 'retrain', sha: 'b'.repeat(40) } });
    const octokit = client();
    const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: 5 });
    expect(data.title).toBe('Retrain');
    expect(data.head.sha).toBe('b'.repeat(40));
    expect(data.base.ref).toBe('main');
    await expect(octokit.rest.pulls.get({ ...repo, pull_number: 6 })).rejects.toSatisfy((e) => status(e) === 404);
    expect(fresh.violations).toEqual([]);
  });

  it('fails the next requests on demand: 5xx is visible raw, plugin-retry recovers', async () => {
    fresh.failNext(1, { status: 500 });
    const raw = client();
    await expect(raw.rest.issues.createComment({ ...repo, issue_number: 9, body: 'a' })).rejects.toSatisfy((e) => status(e) === 500);
    await raw.rest.issues.createComment({ ...repo, issue_number: 9, body: 'b' });
    expect(fresh.issueComments('octo-org', 'models', 9).map((c) => c.body)).toEqual(['b']);

    fresh.failNext(1, { status: 502 });
    const retrying = getOctokit(TOKEN, { baseUrl: fresh.url, request: { retries: 2, retryAfter: 0 }, retry: { retryAfterBaseValue: 0 } }, retry);
    const { data } = await retrying.rest.issues.createComment({ ...repo, issue_number: 9, body: 'c' });
    expect(data.body).toBe('c');
    expect(fresh.requests.map((r) => r.operationId)).toEqual(Array(4).fill('issues/create-comment'));
    expect(fresh.issueComments('octo-org', 'models', 9).map((c) => c.body)).toEqual(['b', 'c']);
    expect(fresh.violations).toEqual([]);
  });

  it('simulates primary and secondary rate limits with GitHub headers', async () => {
    const octokit = client();
    fresh.failNext(1, { status: 403, rateLimit: true });
    const primary = (await octokit.rest.issues.listComments({ ...repo, issue_number: 1 }).catch((e: unknown) => e)) as {
      status: number;
      message: string;
      response: { headers: Record<string, string> };
    };
    expect(primary.status).toBe(403);
    expect(primary.message).toContain('API rate limit exceeded for');
    expect(primary.response.headers['x-ratelimit-remaining']).toBe('0');
    const reset = Number(primary.response.headers['x-ratelimit-reset']);
    expect(reset).toBeGreaterThan(Date.now() / 1000);
    expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 3);

    fresh.failNext(1, { status: 429, rateLimit: true, retryAfterSeconds: 2 });
    const secondary = (await octokit.rest.issues.listComments({ ...repo, issue_number: 1 }).catch((e: unknown) => e)) as typeof primary;
    expect(secondary.status).toBe(429);
    expect(secondary.message).toContain('secondary rate limit');
    expect(secondary.response.headers['retry-after']).toBe('2');

    expect((await octokit.rest.issues.listComments({ ...repo, issue_number: 1 })).status).toBe(200);
    expect(fresh.violations).toEqual([]);
  });

  it('is the default baseUrl when GITHUB_API_URL pointed at it before @actions/github was imported', async () => {
    const octokit = getOctokit(TOKEN); // no baseUrl option
    expect(octokit.request.endpoint.DEFAULTS.baseUrl).toBe(standIn.url);
    const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: 77, body: 'via env' });
    expect(data.body).toBe('via env');
    expect(standIn.issueComments('octo-org', 'models', 77).map((c) => c.body)).toEqual(['via env']);
    expect(standIn.violations).toEqual([]);
  });
});
