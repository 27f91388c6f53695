/**
 * The suite's only stand-in for GitHub: a local HTTP server that plays GitHub's REST API.
 *
 * Every request is checked against GitHub's published OpenAPI description
 * (`@octokit/openapi`, api.github.com, dereferenced): route + method, path and query
 * parameters, the JSON request body and the `authorization` header. Every response the
 * stand-in produces is checked against the operation's response schema for that status, so
 * the stand-in cannot drift from what GitHub really sends. Deviations are collected in
 * `violations` — tests should end with `expect(standIn.violations).toEqual([])`.
 *
 * The description (~70 MB) is read and indexed once per process, on the first
 * `startGitHubStandIn()`; Ajv validators are compiled lazily, per operation, and cached.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export interface StandInRequest {
  method: string;
  /** The path as received, without the query string (still percent-encoded). */
  path: string;
  /** Query parameters; repeated keys keep their last value. */
  query: Record<string, string>;
  /** Parsed JSON body, the raw text if it was not JSON, or undefined when empty. */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** GitHub's operationId (e.g. `issues/create-comment`), or null for an unknown route. */
  operationId: string | null;
}

export type FailureResponse =
  | { status: 500 | 502 | 503 }
  | { status: 403 | 429; rateLimit: true; retryAfterSeconds?: number };

export interface StandInComment {
  id: number;
  body: string;
  login: string;
  created_at: string;
  updated_at: string;
  html_url: string;
}

export interface SeedPullRequest {
  title?: string;
  body?: string | null;
  state?: 'open' | 'closed';
  login?: string;
  head?: { ref?: string; sha?: string };
  base?: { ref?: string; sha?: string };
  draft?: boolean;
}

export interface GitHubStandIn {
  /** Base URL to give Octokit as `baseUrl`, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: StandInRequest[];
  /** Every deviation from GitHub's OpenAPI description (requests and the stand-in's own responses). */
  readonly violations: string[];
  /** Milliseconds it took to read + index the OpenAPI description (0 if it was already loaded). */
  readonly descriptionLoadMs: number;
  close(): Promise<void>;
  /** Pre-populates an issue's (or pull request's) comments, oldest first. */
  seedIssueComments(owner: string, repo: string, issue: number, bodies: string[], opts?: { login?: string }): StandInComment[];
  issueComments(owner: string, repo: string, issue: number): StandInComment[];
  commitComments(owner: string, repo: string, sha: string): Array<StandInComment & { path: string | null; position: number | null; line: number | null }>;
  /** Makes `GET /repos/{owner}/{repo}/pulls/{pull_number}` answer for this number. */
  seedPullRequest(owner: string, repo: string, number: number, pr?: SeedPullRequest): void;
  /** The next `count` requests (after being recorded and checked) get this failure instead of an answer. */
  failNext(count: number, response: FailureResponse): void;
}

export interface StandInOptions {
  /** When set, every request must carry `authorization: token <t>` or `Bearer <t>`. */
  token?: string;
  /** Login the token belongs to (author of created comments). Default `github-actions[bot]`. */
  login?: string;
}

export const GITHUB_COMMENT_BODY_LIMIT = 65536;

// ---------------------------------------------------------------------------------------------
// The OpenAPI description: loaded once, indexed into a route table, validators compiled lazily
// ---------------------------------------------------------------------------------------------

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- OpenAPI documents are untyped JSON

interface Segment {
  literal?: string;
  /** Whole-segment parameter name (`{owner}`). */
  param?: string;
  /** Mixed segment (`{name}.{ext}`) compiled to a regexp. */
  regex?: RegExp;
  names?: string[];
}

interface Route {
  template: string;
  method: string;
  segments: Segment[];
  operation: Json;
  operationId: string;
}

interface Description {
  routes: Map<number, Route[]>; // by segment count
  /** routes ending in a `{path}`/`{ref}` parameter, whose value may contain raw slashes (`contents/{path}`) */
  tailRoutes: Route[];
  paths: Set<string>;
}

let descriptionPromise: Promise<{ description: Description; ms: number }> | undefined;

function descriptionFile(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('@octokit/openapi/generated/api.github.com.deref.json');
}

function parseTemplate(template: string): Segment[] {
  return template
    .split('/')
    .slice(1)
    .map((part) => {
      const whole = /^\{([^{}]+)\}$/.exec(part);
      if (whole) return { param: whole[1] };
      if (!part.includes('{')) return { literal: part };
      const names: string[] = [];
      const source = part
        .split(/(\{[^{}]+\})/)
        .map((piece) => {
          const m = /^\{([^{}]+)\}$/.exec(piece);
          if (m) {
            names.push(m[1]);
            return '([^/]+?)';
          }
          return piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('');
      return { regex: new RegExp(`^${source}$`), names };
    });
}

const SLASHY_PARAMS = new Set(['path', 'ref', 'file_path']);
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

async function loadDescription(): Promise<{ description: Description; ms: number }> {
  const started = performance.now();
  const doc = JSON.parse(await readFile(descriptionFile(), 'utf8')) as Json;
  const routes = new Map<number, Route[]>();
  const tailRoutes: Route[] = [];
  const paths = new Set<string>();
  for (const [template, item] of Object.entries<Json>(doc.paths)) {
    paths.add(template);
    const segments = parseTemplate(template);
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      // Path-level parameters apply to every operation under the path.
      if (item.parameters) operation.parameters = [...item.parameters, ...(operation.parameters ?? [])];
      const route: Route = { template, method: method.toUpperCase(), segments, operation, operationId: operation.operationId };
      const list = routes.get(segments.length) ?? [];
      list.push(route);
      routes.set(segments.length, list);
      const tail = segments.at(-1)?.param;
      if (tail && SLASHY_PARAMS.has(tail)) tailRoutes.push(route);
    }
  }
  return { description: { routes, tailRoutes, paths }, ms: performance.now() - started };
}

function getDescription(): Promise<{ description: Description; ms: number }> {
  descriptionPromise ??= loadDescription().catch((error: unknown) => {
    descriptionPromise = undefined;
    throw error;
  });
  return descriptionPromise;
}

interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

function matchSegments(route: Route, parts: string[], tail: boolean): RouteMatch | undefined {
  const params: Record<string, string> = {};
  const segs = route.segments;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const isLast = i === segs.length - 1;
    const raw = tail && isLast ? parts.slice(i).join('/') : parts[i];
    if (seg.literal !== undefined) {
      if (seg.literal !== raw) return undefined;
    } else if (seg.param !== undefined) {
      if (raw === '') return undefined;
      params[seg.param] = safeDecode(raw);
    } else if (seg.regex) {
      const m = seg.regex.exec(raw);
      if (!m) return undefined;
      seg.names!.forEach((name, k) => (params[name] = safeDecode(m[k + 1])));
    }
  }
  return { route, params };
}

/** Literal segments beat templated ones, compared from the left. */
function specificity(route: Route): number[] {
  return route.segments.map((s) => (s.literal !== undefined ? 2 : s.regex ? 1 : 0));
}

function compareSpecificity(a: Route, b: Route): number {
  const sa = specificity(a);
  const sb = specificity(b);
  for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
    const d = (sb[i] ?? -1) - (sa[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function matchRoute(description: Description, method: string, path: string): { match?: RouteMatch; pathKnown: boolean } {
  const parts = path.replace(/\/+$/, '').split('/').slice(1);
  const candidates: RouteMatch[] = [];
  for (const route of description.routes.get(parts.length) ?? []) {
    const m = matchSegments(route, parts, false);
    if (m) candidates.push(m);
  }
  if (candidates.length === 0) {
    for (const route of description.tailRoutes) {
      if (route.segments.length >= parts.length) continue;
      const m = matchSegments(route, parts, true);
      if (m) candidates.push(m);
    }
  }
  if (candidates.length === 0) return { pathKnown: false };
  const forMethod = candidates.filter((c) => c.route.method === method);
  if (forMethod.length === 0) return { pathKnown: true };
  forMethod.sort((a, b) => compareSpecificity(a.route, b.route));
  return { match: forMethod[0], pathKnown: true };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

// --- Ajv -------------------------------------------------------------------------------------

type AjvInstance = InstanceType<typeof AjvModule.default>;
let ajvInstance: AjvInstance | undefined;

function ajv(): AjvInstance {
  if (ajvInstance) return ajvInstance;
  const AjvCtor = ((AjvModule as unknown as { default?: typeof AjvModule.default }).default ?? AjvModule) as typeof AjvModule.default;
  const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule.default }).default ??
    addFormatsModule) as typeof addFormatsModule.default;
  const instance = new AjvCtor({
    strict: false,
    allErrors: true,
    validateFormats: true,
    // OpenAPI 3.0 `nullable` is converted into type unions by toJsonSchema().
    logger: { log() {}, warn() {}, error: console.error },
  });
  addFormats(instance);
  // OpenAPI / GitHub formats ajv-formats does not know: accept anything.
  for (const format of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password', 'timestamp', 'repo.nwo', 'uri-template']) {
    if (!instance.formats[format]) instance.addFormat(format, true);
  }
  ajvInstance = instance;
  return instance;
}

const DROP_KEYWORDS = new Set(['nullable', 'discriminator', 'example', 'examples', 'xml', 'externalDocs', 'readOnly', 'writeOnly', 'deprecated']);
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', 'definitions', '$defs']);
const SCHEMA_KEYWORDS = new Set(['items', 'additionalProperties', 'not', 'contains', 'propertyNames', 'if', 'then', 'else']);
const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf']);

/** OpenAPI 3.0 schema object → JSON Schema (draft-07) that Ajv understands. Returns a copy. */
function toJsonSchema(schema: Json): Json {
  if (schema === true || schema === false) return schema;
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return {};
  const out: Json = {};
  for (const [key, value] of Object.entries<Json>(schema)) {
    if (DROP_KEYWORDS.has(key) || key.startsWith('x-')) continue;
    if (SCHEMA_MAP_KEYWORDS.has(key) && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries<Json>(value).map(([k, v]) => [k, toJsonSchema(v)]));
    } else if (SCHEMA_KEYWORDS.has(key) && typeof value === 'object') {
      out[key] = Array.isArray(value) ? value.map(toJsonSchema) : toJsonSchema(value);
    } else if (SCHEMA_LIST_KEYWORDS.has(key) && Array.isArray(value)) {
      out[key] = value.map(toJsonSchema);
    } else if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum') {
      if (typeof value === 'number') out[key] = value;
      else if (value === true) {
        const bound = key === 'exclusiveMinimum' ? 'minimum' : 'maximum';
        if (typeof schema[bound] === 'number') out[key] = schema[bound];
      }
    } else {
      out[key] = value;
    }
  }
  if (schema.exclusiveMinimum === true) delete out.minimum;
  if (schema.exclusiveMaximum === true) delete out.maximum;
  if (schema.nullable === true) {
    if (out.type !== undefined) {
      const types: string[] = Array.isArray(out.type) ? out.type : [out.type];
      if (!types.includes('null')) out.type = [...types, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else {
      return { anyOf: [{ type: 'null' }, out] };
    }
  }
  return out;
}

const validatorCache = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: Json): ValidateFunction {
  const cached = validatorCache.get(schema);
  if (cached) return cached;
  const compiled = ajv().compile(toJsonSchema(schema));
  validatorCache.set(schema, compiled);
  return compiled;
}

function describeErrors(errors: ErrorObject[] | null | undefined, root: string): string {
  return (errors ?? [])
    .slice(0, 8)
    .map((e) => {
      const where = `${root}${e.instancePath}` || '(root)';
      if (e.keyword === 'required') return `${where} is missing required property "${(e.params as { missingProperty: string }).missingProperty}"`;
      if (e.keyword === 'additionalProperties')
        return `${where} has unexpected property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
      if (e.keyword === 'enum') return `${where} ${e.message}: ${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)}`;
      return `${where} ${e.message}`;
    })
    .join('; ');
}

/** Turns a query/path string into the JSON type its parameter schema asks for. */
function coerce(raw: string, schema: Json): unknown {
  const type = Array.isArray(schema?.type) ? schema.type.find((t: string) => t !== 'null') : schema?.type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface HandlerContext {
  params: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  query: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  url: URL;
  docs: string;
}

type Handler = (ctx: HandlerContext) => Reply;

interface StoredIssueComment {
  owner: string;
  repo: string;
  issue: number;
  json: Json;
}

interface StoredCommitComment {
  owner: string;
  repo: string;
  sha: string;
  json: Json;
}

const RATE_LIMIT = 5000;
const API_VERSION = '2022-11-28';
const DOCS_ROOT = 'https://docs.github.com/rest';

function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function requestId(): string {
  const hex = (n: number) => randomBytes(n).toString('hex').toUpperCase();
  return `${hex(2)}:${hex(2).slice(1)}${hex(1)}:${hex(3)}:${hex(4)}:${Math.floor(Date.now() / 1000).toString(16).toUpperCase()}`;
}

function stableId(text: string): number {
  let h = 7;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) % 90_000_000;
  return 10_000_000 + h;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
const key = (owner: string, repo: string) => `${owner.toLowerCase()}/${repo.toLowerCase()}`;

function codePointLength(text: string): number {
  if (text.length <= GITHUB_COMMENT_BODY_LIMIT) return text.length; // UTF-16 length >= code points
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export async function startGitHubStandIn(options: StandInOptions = {}): Promise<GitHubStandIn> {
  const wasLoaded = descriptionPromise !== undefined;
  const { description, ms } = await getDescription();
  const descriptionLoadMs = wasLoaded ? 0 : Math.round(ms);

  const token = options.token;
  const viewerLogin = options.login ?? 'github-actions[bot]';
  const requests: StandInRequest[] = [];
  const violations: string[] = [];
  const failures: FailureResponse[] = [];
  const issueComments = new Map<string, StoredIssueComment[]>(); // owner/repo#n → oldest first
  const issueCommentsById = new Map<number, StoredIssueComment>();
  const commitComments = new Map<string, StoredCommitComment[]>(); // owner/repo@sha
  const pulls = new Map<string, Json>(); // owner/repo#n
  let nextIssueCommentId = 2_100_000_001;
  let nextCommitCommentId = 150_000_001;
  let used = 0;
  const resetAt = Math.floor(Date.now() / 1000) + 3600;
  let baseUrl = '';

  // --- GitHub-shaped objects -----------------------------------------------------------------

  function user(login: string): Json {
    const bot = login.endsWith('[bot]');
    const id = login === 'github-actions[bot]' ? 41898282 : stableId(login);
    const url = `${baseUrl}/users/${encodeURIComponent(login)}`;
    return {
      login,
      id,
      node_id: bot ? b64(`03:Bot${id}`) : b64(`04:User${id}`),
      avatar_url: bot ? `https://avatars.githubusercontent.com/in/15368?v=4` : `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url,
      html_url: bot ? `https://github.com/apps/${encodeURIComponent(login.replace(/\[bot\]$/, ''))}` : `https://github.com/${encodeURIComponent(login)}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type: bot ? 'Bot' : 'User',
      user_view_type: 'public',
      site_admin: false,
    };
  }

  function association(login: string, owner: string): string {
    return login.toLowerCase() === owner.toLowerCase() ? 'OWNER' : login.endsWith('[bot]') ? 'NONE' : 'CONTRIBUTOR';
  }

  function reactions(url: string): Json {
    return { url: `${url}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 };
  }

  function newIssueComment(owner: string, repo: string, issue: number, body: string, login: string): StoredIssueComment {
    const id = nextIssueCommentId++;
    const now = timestamp();
    const url = `${baseUrl}/repos/${owner}/${repo}/issues/comments/${id}`;
    const stored: StoredIssueComment = {
      owner,
      repo,
      issue,
      json: {
        url,
        html_url: `https://github.com/${owner}/${repo}/pull/${issue}#issuecomment-${id}`,
        issue_url: `${baseUrl}/repos/${owner}/${repo}/issues/${issue}`,
        id,
        node_id: `IC_kwDO${b64(`${owner}/${repo}:${id}`).replace(/=+$/, '')}`,
        user: user(login),
        created_at: now,
        updated_at: now,
        author_association: association(login, owner),
        body,
        reactions: reactions(url),
        performed_via_github_app: null,
      },
    };
    const k = `${key(owner, repo)}#${issue}`;
    const list = issueComments.get(k) ?? [];
    list.push(stored);
    issueComments.set(k, list);
    issueCommentsById.set(id, stored);
    return stored;
  }

  function publicComment(json: Json): StandInComment & Json {
    return { ...structuredClone(json), login: json.user.login };
  }

  // --- helpers for replies -------------------------------------------------------------------

  const notFound = (docs: string): Reply => ({ status: 404, body: { message: 'Not Found', documentation_url: docs, status: '404' } });

  function validationFailed(docs: string, errors: Json[]): Reply {
    return { status: 422, body: { message: 'Validation Failed', errors, documentation_url: docs, status: '422' } };
  }

  function bodyTooLong(resource: string, body: string, docs: string): Reply | undefined {
    if (codePointLength(body) <= GITHUB_COMMENT_BODY_LIMIT) return undefined;
    return validationFailed(docs, [
      { resource, code: 'custom', field: 'body', message: `body is too long (maximum is ${GITHUB_COMMENT_BODY_LIMIT} characters)` },
    ]);
  }

  /** GitHub's page/per_page handling plus its Link header. */
  function paginate<T>(items: T[], ctx: HandlerContext): Reply {
    const perPageRaw = typeof ctx.query.per_page === 'number' ? ctx.query.per_page : 30;
    const perPage = Math.min(100, Math.max(1, Math.trunc(perPageRaw) || 30));
    const page = Math.max(1, typeof ctx.query.page === 'number' ? Math.trunc(ctx.query.page) : 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number) => {
      const u = new URL(ctx.url.pathname + ctx.url.search, baseUrl);
      u.searchParams.set('page', String(n));
      return `<${u.toString()}>`;
    };
    const rels: string[] = [];
    if (page > 1) rels.push(`${link(Math.min(page - 1, last))}; rel="prev"`);
    if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (page > 1) rels.push(`${link(1)}; rel="first"`);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    return { status: 200, body: slice, headers: rels.length ? { link: rels.join(', ') } : {} };
  }

  // --- handlers by operationId ---------------------------------------------------------------

  const handlers: Record<string, Handler> = {
    'issues/list-comments': (ctx) => {
      const { owner, repo, issue_number } = ctx.params;
      let list = (issueComments.get(`${key(owner, repo)}#${issue_number}`) ?? []).map((c) => c.json);
      if (typeof ctx.query.since === 'string') {
        const since = Date.parse(ctx.query.since);
        list = list.filter((c) => Date.parse(c.updated_at) >= since);
      }
      return paginate(list, ctx);
    },
    'issues/create-comment': (ctx) => {
      const { owner, repo, issue_number } = ctx.params;
      const tooLong = bodyTooLong('IssueComment', ctx.body.body, ctx.docs);
      if (tooLong) return tooLong;
      const stored = newIssueComment(owner, repo, issue_number, ctx.body.body, viewerLogin);
      return { status: 201, body: stored.json, headers: { location: stored.json.url } };
    },
    'issues/get-comment': (ctx) => {
      const stored = issueCommentsById.get(ctx.params.comment_id);
      if (!stored || key(stored.owner, stored.repo) !== key(ctx.params.owner, ctx.params.repo)) return notFound(ctx.docs);
      return { status: 200, body: stored.json };
    },
    'issues/update-comment': (ctx) => {
      const stored = issueCommentsById.get(ctx.params.comment_id);
      if (!stored || key(stored.owner, stored.repo) !== key(ctx.params.owner, ctx.params.repo)) return notFound(ctx.docs);
      const tooLong = bodyTooLong('IssueComment', ctx.body.body, ctx.docs);
      if (tooLong) return tooLong;
      stored.json.body = ctx.body.body;
      stored.json.updated_at = timestamp();
      return { status: 200, body: stored.json };
    },
    'issues/delete-comment': (ctx) => {
      const stored = issueCommentsById.get(ctx.params.comment_id);
      if (!stored || key(stored.owner, stored.repo) !== key(ctx.params.owner, ctx.params.repo)) return notFound(ctx.docs);
      issueCommentsById.delete(stored.json.id);
      const k = `${key(stored.owner, stored.repo)}#${stored.issue}`;
      issueComments.set(
        k,
        (issueComments.get(k) ?? []).filter((c) => c !== stored),
      );
      return { status: 204 };
    },
    'repos/create-commit-comment': (ctx) => {
      const { owner, repo, commit_sha } = ctx.params;
      if (!/^[0-9a-f]{7,40}$/i.test(commit_sha)) {
        return { status: 422, body: { message: `No commit found for SHA: ${commit_sha}`, documentation_url: ctx.docs, status: '422' } };
      }
      const tooLong = bodyTooLong('CommitComment', ctx.body.body, ctx.docs);
      if (tooLong) return tooLong;
      const id = nextCommitCommentId++;
      const now = timestamp();
      const url = `${baseUrl}/repos/${owner}/${repo}/comments/${id}`;
      const json: Json = {
        html_url: `https://github.com/${owner}/${repo}/commit/${commit_sha}#commitcomment-${id}`,
        url,
        id,
        node_id: `CC_kwDO${b64(`${owner}/${repo}:${id}`).replace(/=+$/, '')}`,
        body: ctx.body.body,
        path: ctx.body.path ?? null,
        position: ctx.body.position ?? null,
        line: ctx.body.line ?? null,
        commit_id: commit_sha,
        user: user(viewerLogin),
        created_at: now,
        updated_at: now,
        author_association: association(viewerLogin, owner),
        reactions: reactions(url),
      };
      const k = `${key(owner, repo)}@${commit_sha.toLowerCase()}`;
      const list = commitComments.get(k) ?? [];
      list.push({ owner, repo, sha: commit_sha, json });
      commitComments.set(k, list);
      return { status: 201, body: json, headers: { location: url } };
    },
    'repos/list-comments-for-commit': (ctx) => {
      const { owner, repo, commit_sha } = ctx.params;
      const list = (commitComments.get(`${key(owner, repo)}@${String(commit_sha).toLowerCase()}`) ?? []).map((c) => c.json);
      return paginate(list, ctx);
    },
    'repos/update-commit-comment': (ctx) => {
      const { owner, repo, comment_id } = ctx.params;
      const stored = [...commitComments.values()].flat().find((c) => String(c.json.id) === String(comment_id) && key(c.owner, c.repo) === key(owner, repo));
      if (!stored) return notFound(ctx.docs);
      const tooLong = bodyTooLong('CommitComment', ctx.body.body, ctx.docs);
      if (tooLong) return tooLong;
      stored.json.body = ctx.body.body;
      stored.json.updated_at = timestamp();
      return { status: 200, body: stored.json };
    },
    'pulls/get': (ctx) => {
      const pr = pulls.get(`${key(ctx.params.owner, ctx.params.repo)}#${ctx.params.pull_number}`);
      return pr ? { status: 200, body: pr } : notFound(ctx.docs);
    },
  };

  // --- request processing --------------------------------------------------------------------

  function failureReply(failure: FailureResponse, rid: string): Reply {
    if (!('rateLimit' in failure)) {
      const message = failure.status === 503 ? 'Service Unavailable' : failure.status === 502 ? 'Bad Gateway' : 'Server Error';
      return { status: failure.status, body: { message, documentation_url: DOCS_ROOT, status: String(failure.status) } };
    }
    if (failure.retryAfterSeconds !== undefined) {
      return {
        status: failure.status,
        headers: { 'retry-after': String(failure.retryAfterSeconds) },
        body: {
          message: `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${rid}.`,
          documentation_url: 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          status: String(failure.status),
        },
      };
    }
    const reset = Math.ceil(Date.now() / 1000) + 1;
    return {
      status: failure.status,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-used': String(RATE_LIMIT), 'x-ratelimit-reset': String(reset) },
      body: {
        message: `API rate limit exceeded for installation ID 1. If you reach out to GitHub Support for help, please include the request ID ${rid} and timestamp ${new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}.`,
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        status: String(failure.status),
      },
    };
  }

  function handle(req: IncomingMessage, rawBody: string, rid: string): { reply: Reply; operation?: Json } {
    const failure = failures.shift();
    // An injected failure replaces the answer, but the request is still recorded and checked.
    const answer = (reply: Reply, operation?: Json) => ({ reply: failure ? failureReply(failure, rid) : reply, operation });
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', baseUrl);
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    let body: unknown;
    let bodyIsJson = false;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
        bodyIsJson = true;
      } catch {
        body = rawBody;
      }
    }
    const { match, pathKnown } = matchRoute(description, method, url.pathname);
    const operationId = match?.route.operationId ?? null;
    requests.push({ method, path: url.pathname, query, body, headers: req.headers, operationId });
    const where = `${method} ${url.pathname}`;
    const violate = (text: string) => violations.push(`${where}${operationId ? ` (${operationId})` : ''}: ${text}`);

    // Authorization
    let authReply: Reply | undefined;
    if (token !== undefined) {
      const auth = req.headers.authorization;
      if (!auth) {
        violate('missing authorization header');
        authReply = { status: 401, body: { message: 'Requires authentication', documentation_url: DOCS_ROOT, status: '401' } };
      } else if (auth !== `token ${token}` && auth !== `Bearer ${token}`) {
        violate('authorization header is not "token <token>" or "Bearer <token>" with the configured token');
        authReply = { status: 401, body: { message: 'Bad credentials', documentation_url: DOCS_ROOT, status: '401' } };
      }
    }

    if (!match) {
      violate(pathKnown ? `method ${method} is not described for this path` : 'no such route in the OpenAPI description');
      return answer(authReply ?? notFound(DOCS_ROOT));
    }
    const operation = match.route.operation;
    const docs: string = operation.externalDocs?.url ?? DOCS_ROOT;

    // Parameters
    const params: Record<string, unknown> = {};
    const typedQuery: Record<string, unknown> = {};
    let pathBad = false;
    const queryErrors: Json[] = [];
    const knownQuery = new Set<string>();
    for (const p of (operation.parameters ?? []) as Json[]) {
      if (p.in === 'path') {
        const raw = match.params[p.name];
        if (raw === undefined) continue;
        const value = coerce(raw, p.schema);
        const validate = validatorFor(p.schema ?? {});
        if (!validate(value)) {
          violate(`path parameter ${p.name}=${JSON.stringify(raw)}: ${describeErrors(validate.errors, p.name)}`);
          pathBad = true;
        }
        params[p.name] = value;
      } else if (p.in === 'query') {
        knownQuery.add(p.name);
        const isArray = p.schema?.type === 'array';
        const raws = isArray ? [...url.searchParams.getAll(p.name), ...url.searchParams.getAll(`${p.name}[]`)] : url.searchParams.getAll(p.name);
        if (isArray) knownQuery.add(`${p.name}[]`);
        if (raws.length === 0) {
          if (p.required) {
            violate(`missing required query parameter ${p.name}`);
            queryErrors.push({ resource: 'Search', field: p.name, code: 'missing' });
          }
          continue;
        }
        const value = isArray
          ? (p.explode === false ? raws.flatMap((r) => r.split(',')) : raws).map((r) => coerce(r, p.schema.items))
          : coerce(raws[raws.length - 1], p.schema);
        const validate = validatorFor(p.schema ?? {});
        if (!validate(value)) {
          violate(`query parameter ${p.name}=${JSON.stringify(raws.join(','))}: ${describeErrors(validate.errors, p.name)}`);
          queryErrors.push({ resource: 'Search', field: p.name, code: 'invalid', value: raws.join(',') });
        } else {
          typedQuery[p.name] = value;
        }
      }
    }
    for (const name of url.searchParams.keys()) {
      if (!knownQuery.has(name)) violate(`query parameter ${name} is not described for this operation`);
    }
    if (authReply) return answer(authReply, operation);
    if (pathBad) return answer(notFound(docs), operation);
    if (queryErrors.length > 0) return answer(validationFailed(docs, queryErrors), operation);

    // Request body
    const jsonBody = operation.requestBody?.content?.['application/json'];
    if (jsonBody) {
      if (rawBody.length === 0) {
        if (operation.requestBody.required) {
          violate('missing required JSON request body');
          return answer(
            validationFailed(docs, [{ resource: 'Request', code: 'missing', field: 'body', message: 'A JSON request body is required' }]),
            operation,
          );
        }
      } else if (!bodyIsJson) {
        violate('request body is not valid JSON');
        return answer({ status: 400, body: { message: 'Problems parsing JSON', documentation_url: docs, status: '400' } }, operation);
      } else if (jsonBody.schema) {
        const validate = validatorFor(jsonBody.schema);
        if (!validate(body)) {
          violate(`request body: ${describeErrors(validate.errors, '')}`);
          const errors = (validate.errors ?? []).slice(0, 8).map((e) =>
            e.keyword === 'required'
              ? { resource: 'Request', code: 'missing_field', field: (e.params as { missingProperty: string }).missingProperty }
              : { resource: 'Request', code: 'invalid', field: e.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'body', message: `${e.instancePath || 'body'} ${e.message}` },
          );
          return answer(validationFailed(docs, errors), operation);
        }
      }
    }

    const handler = handlers[match.route.operationId];
    if (!handler) {
      violations.push(`${where} (${match.route.operationId}): the GitHub stand-in has no handler for this operation`);
      return answer({ status: 501, body: { message: `Not implemented by the GitHub stand-in: ${match.route.operationId}`, documentation_url: docs } });
    }
    if (failure) return answer({ status: 500 }, operation);
    return answer(handler({ params, query: typedQuery, body: body as Json, url, docs }), operation);
  }

  function checkResponse(operation: Json | undefined, reply: Reply, label: string): void {
    if (!operation) return;
    const declared = operation.responses?.[String(reply.status)];
    if (!declared) {
      if (reply.status >= 200 && reply.status < 300) violations.push(`${label}: stand-in answered undocumented status ${reply.status}`);
      return;
    }
    const schema = declared.content?.['application/json']?.schema;
    if (!schema) {
      if (reply.body !== undefined && reply.status !== 404) violations.push(`${label}: stand-in sent a body where status ${reply.status} has none`);
      return;
    }
    const validate = validatorFor(schema);
    if (!validate(reply.body)) violations.push(`${label}: stand-in response ${reply.status} fails its schema: ${describeErrors(validate.errors, 'response')}`);
  }

  function send(res: ServerResponse, reply: Reply, rid: string): void {
    used++;
    const headers: Record<string, string> = {
      'x-github-request-id': rid,
      'x-github-api-version-selected': API_VERSION,
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(Math.max(0, RATE_LIMIT - used)),
      'x-ratelimit-reset': String(resetAt),
      'x-ratelimit-used': String(used),
      'x-ratelimit-resource': 'core',
      ...reply.headers,
    };
    let payload = '';
    if (reply.status !== 204 && reply.body !== undefined) {
      payload = JSON.stringify(reply.body);
      headers['content-type'] = 'application/json; charset=utf-8';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rid = requestId();
      let reply: Reply;
      try {
        const handled = handle(req, Buffer.concat(chunks).toString('utf8'), rid);
        reply = handled.reply;
        const last = requests.at(-1);
        checkResponse(handled.operation, reply, `${last?.method} ${last?.path} (${last?.operationId})`);
      } catch (error) {
        violations.push(`stand-in crashed on ${req.method} ${req.url}: ${(error as Error).stack ?? String(error)}`);
        reply = { status: 500, body: { message: 'Server Error' } };
      }
      send(res, reply, rid);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    requests,
    violations,
    descriptionLoadMs,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    seedIssueComments(owner, repo, issue, bodies, opts = {}) {
      return bodies.map((body) => publicComment(newIssueComment(owner, repo, issue, body, opts.login ?? viewerLogin).json));
    },
    issueComments(owner, repo, issue) {
      return (issueComments.get(`${key(owner, repo)}#${issue}`) ?? []).map((c) => publicComment(c.json));
    },
    commitComments(owner, repo, sha) {
      return (commitComments.get(`${key(owner, repo)}@${sha.toLowerCase()}`) ?? []).map((c) => publicComment(c.json));
    },
    seedPullRequest(owner, repo, number, pr = {}) {
      pulls.set(`${key(owner, repo)}#${number}`, pullRequest(baseUrl, owner, repo, number, pr, user, association));
    },
    failNext(count, response) {
      for (let i = 0; i < count; i++) failures.push(response);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Pull requests: a schema-valid object built from GitHub's own schema, then made plausible
// ---------------------------------------------------------------------------------------------

function pullRequest(
  api: string,
  owner: string,
  repo: string,
  number: number,
  seed: SeedPullRequest,
  user: (login: string) => Json,
  association: (login: string, owner: string) => string,
): Json {
  const login = seed.login ?? owner;
  const now = timestamp();
  const id = stableId(`${owner}/${repo}#${number}`);
  const repoApi = `${api}/repos/${owner}/${repo}`;
  const repoJson = (): Json => ({
    ...repository(api, owner, repo),
  });
  const ref = (side: { ref?: string; sha?: string } | undefined, fallbackRef: string) => ({
    label: `${owner}:${side?.ref ?? fallbackRef}`,
    ref: side?.ref ?? fallbackRef,
    sha: side?.sha ?? randomBytes(20).toString('hex'),
    user: user(owner),
    repo: repoJson(),
  });
  const href = (h: string) => ({ href: h });
  const state = seed.state ?? 'open';
  return {
    url: `${repoApi}/pulls/${number}`,
    id,
    node_id: `PR_kwDO${b64(String(id)).replace(/=+$/, '')}`,
    html_url: `https://github.com/${owner}/${repo}/pull/${number}`,
    diff_url: `https://github.com/${owner}/${repo}/pull/${number}.diff`,
    patch_url: `https://github.com/${owner}/${repo}/pull/${number}.patch`,
    issue_url: `${repoApi}/issues/${number}`,
    commits_url: `${repoApi}/pulls/${number}/commits`,
    review_comments_url: `${repoApi}/pulls/${number}/comments`,
    review_comment_url: `${repoApi}/pulls/comments{/number}`,
    comments_url: `${repoApi}/issues/${number}/comments`,
    statuses_url: `${repoApi}/statuses/${seed.head?.sha ?? 'HEAD'}`,
    number,
    state,
    locked: false,
    title: seed.title ?? `Pull request #${number}`,
    user: user(login),
    body: seed.body === undefined ? null : seed.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: now,
    updated_at: now,
    closed_at: state === 'closed' ? now : null,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: ref(seed.head, 'feature'),
    base: ref(seed.base, 'main'),
    _links: {
      self: href(`${repoApi}/pulls/${number}`),
      html: href(`https://github.com/${owner}/${repo}/pull/${number}`),
      issue: href(`${repoApi}/issues/${number}`),
      comments: href(`${repoApi}/issues/${number}/comments`),
      review_comments: href(`${repoApi}/pulls/${number}/comments`),
      review_comment: href(`${repoApi}/pulls/comments{/number}`),
      commits: href(`${repoApi}/pulls/${number}/commits`),
      statuses: href(`${repoApi}/statuses/${seed.head?.sha ?? 'HEAD'}`),
    },
    author_association: association(login, owner),
    auto_merge: null,
    draft: seed.draft ?? false,
    merged: false,
    mergeable: null,
    rebaseable: null,
    mergeable_state: 'unknown',
    merged_by: null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };

  function repository(apiBase: string, o: string, r: string): Json {
    const u = `${apiBase}/repos/${o}/${r}`;
    const rid = stableId(`${o}/${r}`);
    return {
      id: rid,
      node_id: `R_kgDO${b64(String(rid)).replace(/=+$/, '')}`,
      name: r,
      full_name: `${o}/${r}`,
      owner: user(o),
      private: false,
      html_url: `https://github.com/${o}/${r}`,
      description: null,
      fork: false,
      url: u,
      archive_url: `${u}/{archive_format}{/ref}`,
      assignees_url: `${u}/assignees{/user}`,
      blobs_url: `${u}/git/blobs{/sha}`,
      branches_url: `${u}/branches{/branch}`,
      collaborators_url: `${u}/collaborators{/collaborator}`,
      comments_url: `${u}/comments{/number}`,
      commits_url: `${u}/commits{/sha}`,
      compare_url: `${u}/compare/{base}...{head}`,
      contents_url: `${u}/contents/{+path}`,
      contributors_url: `${u}/contributors`,
      deployments_url: `${u}/deployments`,
      downloads_url: `${u}/downloads`,
      events_url: `${u}/events`,
      forks_url: `${u}/forks`,
      git_commits_url: `${u}/git/commits{/sha}`,
      git_refs_url: `${u}/git/refs{/sha}`,
      git_tags_url: `${u}/git/tags{/sha}`,
      git_url: `git://github.com/${o}/${r}.git`,
      issue_comment_url: `${u}/issues/comments{/number}`,
      issue_events_url: `${u}/issues/events{/number}`,
      issues_url: `${u}/issues{/number}`,
      keys_url: `${u}/keys{/key_id}`,
      labels_url: `${u}/labels{/name}`,
      languages_url: `${u}/languages`,
      merges_url: `${u}/merges`,
      milestones_url: `${u}/milestones{/number}`,
      notifications_url: `${u}/notifications{?since,all,participating}`,
      pulls_url: `${u}/pulls{/number}`,
      releases_url: `${u}/releases{/id}`,
      ssh_url: `git@github.com:${o}/${r}.git`,
      stargazers_url: `${u}/stargazers`,
      statuses_url: `${u}/statuses/{sha}`,
      subscribers_url: `${u}/subscribers`,
      subscription_url: `${u}/subscription`,
      tags_url: `${u}/tags`,
      teams_url: `${u}/teams`,
      trees_url: `${u}/git/trees{/sha}`,
      clone_url: `https://github.com/${o}/${r}.git`,
      mirror_url: null,
      hooks_url: `${u}/hooks`,
      svn_url: `https://github.com/${o}/${r}`,
      homepage: null,
      language: 'TypeScript',
      forks_count: 0,
      stargazers_count: 0,
      watchers_count: 0,
      size: 100,
      default_branch: 'main',
      open_issues_count: 0,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: true,
      has_wiki: true,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: false,
      disabled: false,
      visibility: 'public',
      pushed_at: timestamp(),
      created_at: '2024-01-01T00:00:00Z',
      updated_at: timestamp(),
      allow_forking: true,
      web_commit_signoff_required: false,
      license: null,
      forks: 0,
      open_issues: 0,
      watchers: 0,
    };
  }
}
