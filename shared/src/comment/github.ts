import type { Logger } from '../logger.js';

/** A comment as the suite needs it. */
export interface Comment {
  id: number;
  body: string;
  url: string;
}

/**
 * The GitHub operations post-metrics-comment uses. The adapter below wraps the real
 * Octokit; tests point that same adapter at a local, OpenAPI-checked stand-in.
 */
export interface GitHubPort {
  /** Every comment of a pull request (all pages). */
  listIssueComments(issue: number): Promise<Comment[]>;
  createIssueComment(issue: number, body: string): Promise<Comment>;
  updateIssueComment(id: number, body: string): Promise<Comment>;
  /** Every comment on a commit (all pages). */
  listCommitComments(sha: string): Promise<Comment[]>;
  createCommitComment(sha: string, body: string): Promise<Comment>;
  updateCommitComment(id: number, body: string): Promise<Comment>;
}

/**
 * The Octokit adapter: @actions/github's client (GITHUB_API_URL honoured) with the retry
 * plugin (5xx with backoff) and the throttling plugin (primary and secondary rate limits,
 * waiting as GitHub asks). The token is never logged.
 */
export async function createOctokitPort(options: { token: string; owner: string; repo: string; logger: Logger; retries?: number }): Promise<GitHubPort> {
  const { getOctokit } = await import('@actions/github');
  const { retry } = await import('@octokit/plugin-retry');
  const { throttling } = await import('@octokit/plugin-throttling');
  const maxRetries = options.retries ?? 3;
  const octokit = getOctokit(
    options.token,
    {
      baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
      // Retries 5xx with backoff (1 s, 4 s, 9 s); client errors such as 403 and 422 are not retried.
      retry: { retries: maxRetries },
      throttle: {
        onRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
          options.logger.warning(`GitHub rate limit hit on ${request.method} ${request.url}; retrying in ${retryAfter}s (attempt ${retryCount + 1}).`);
          return retryCount < maxRetries;
        },
        onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
          options.logger.warning(`GitHub secondary rate limit on ${request.method} ${request.url}; retrying in ${retryAfter}s (attempt ${retryCount + 1}).`);
          return retryCount < maxRetries;
        },
      },
    } as Parameters<typeof getOctokit>[1],
    retry,
    throttling,
  );
  const { owner, repo } = options;
  const toComment = (c: { id: number; body?: string | null; html_url: string }): Comment => ({ id: c.id, body: c.body ?? '', url: c.html_url });
  return {
    async listIssueComments(issue) {
      const all = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issue, per_page: 100 });
      return all.map(toComment);
    },
    async createIssueComment(issue, body) {
      return toComment((await octokit.rest.issues.createComment({ owner, repo, issue_number: issue, body })).data);
    },
    async updateIssueComment(id, body) {
      return toComment((await octokit.rest.issues.updateComment({ owner, repo, comment_id: id, body })).data);
    },
    async listCommitComments(sha) {
      const all = await octokit.paginate(octokit.rest.repos.listCommentsForCommit, { owner, repo, commit_sha: sha, per_page: 100 });
      return all.map(toComment);
    },
    async createCommitComment(sha, body) {
      return toComment((await octokit.rest.repos.createCommitComment({ owner, repo, commit_sha: sha, body })).data);
    },
    async updateCommitComment(id, body) {
      return toComment((await octokit.rest.repos.updateCommitComment({ owner, repo, comment_id: id, body })).data);
    },
  };
}
