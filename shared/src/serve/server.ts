import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { VERSION } from '../version.js';
import { MicroBatcher } from './batcher.js';
import type { ServedModel } from './served-model.js';

export interface ServerOptions {
  port: number;
  host: string;
  /** Most rows in one model call. */
  maxBatchSize: number;
  /** Longest an idle model waits for more requests to join a batch (0: none; requests that arrive while it is busy always batch). */
  maxWaitMs: number;
  /** Largest request body, bytes. */
  bodyLimit: number;
  /** One JSON line per request (stdout by default). */
  log?: (entry: Record<string, unknown>) => void;
}

export const DEFAULT_SERVER_OPTIONS: ServerOptions = { port: 8080, host: "0.0.0.0", maxBatchSize: 64, maxWaitMs: 0, bodyLimit: 10 * 1024 * 1024 };

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const NUMERIC_TYPES = new Set(['FP32', 'FP64', 'FP16', 'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);

/** Flattens nested arrays of numbers row-major; anything else is a 400 naming what was found. */
function flattenNumbers(data: unknown, where: string): number[] {
  const out: number[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
    else throw new HttpError(400, `${where} must hold numbers only; found ${JSON.stringify(v)?.slice(0, 40)}.`);
  };
  walk(data);
  return out;
}

export interface RunningServer {
  server: Server;
  url: string;
  registry: Registry;
  /** Stops accepting, answers the requests in flight, then closes. */
  drain(): Promise<void>;
}

/**
 * The model server: Open Inference Protocol v2 and TensorFlow Serving REST, raw features
 * normalised as the dataset was, dynamic micro-batching, Prometheus metrics, JSON logs.
 */
export async function startModelServer(model: ServedModel, options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? ((entry) => process.stdout.write(`${JSON.stringify(entry)}\n`));
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: 'mlops_http_requests_total', help: 'HTTP requests by route and status code', labelNames: ['route', 'code'], registers: [registry] });
  const latency = new Histogram({ name: 'mlops_http_request_duration_seconds', help: 'Request latency by route', labelNames: ['route'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] });
  const batchSizes = new Histogram({ name: 'mlops_batch_size', help: 'Rows per model call (micro-batching)', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers: [registry] });
  const inFlight = new Gauge({ name: 'mlops_requests_in_flight', help: 'Requests being handled', registers: [registry] });
  new Gauge({ name: 'mlops_model_load_seconds', help: 'Time to load and warm up the model', labelNames: ['model', 'backend'], registers: [registry] }).set({ model: model.name, backend: model.backend }, model.loadSeconds);
  new Gauge({ name: 'mlops_model_info', help: 'The model being served', labelNames: ['model', 'digest', 'version'], registers: [registry] }).set({ model: model.name, digest: model.digest, version: VERSION }, 1);

  const batcher = new MicroBatcher((f, n) => model.predict(f, n), { width: model.width, units: model.units, maxBatchSize: options.maxBatchSize, maxWaitMs: options.maxWaitMs, onBatch: (n) => batchSizes.observe(n) });
  let draining = false;
  let active = 0;

  const modelMeta = () => ({
    name: model.name,
    versions: [model.version],
    platform: 'tensorflowjs_layers',
    inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, ...model.shape] }],
    outputs:
      model.task === 'classification'
        ? [
            { name: 'probabilities', datatype: 'FP32', shape: [-1, model.units] },
            { name: 'label', datatype: 'BYTES', shape: [-1] },
          ]
        : [{ name: 'prediction', datatype: 'FP32', shape: [-1, 1] }],
    parameters: { digest: model.digest, ...(model.classes ? { classes: model.classes } : {}) },
  });

  /** Rows of raw features from a [n, ...shape] or [n, width] tensor (or one example). */
  function toRows(values: number[], shape: number[] | undefined, where: string): { features: Float32Array; rows: number } {
    const expected = `[n, ${model.shape.join(', ')}]${model.shape.length > 1 ? ` or [n, ${model.width}]` : ''}`;
    if (shape) {
      if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) throw new HttpError(400, `${where}.shape must be a list of non-negative integers, e.g. ${expected}.`);
      const tail = shape.slice(1);
      const ok = tail.join(',') === model.shape.join(',') || (tail.length === 1 && tail[0] === model.width) || (shape.join(',') === model.shape.join(','));
      if (!ok) throw new HttpError(400, `${where}.shape [${shape.join(', ')}] does not fit model '${model.name}', which expects ${expected}.`);
      const count = shape.reduce((a, b) => a * b, 1);
      if (count !== values.length) throw new HttpError(400, `${where}.shape [${shape.join(', ')}] needs ${count} values but data holds ${values.length}.`);
    }
    if (values.length === 0 || values.length % model.width !== 0) {
      throw new HttpError(400, `${where} holds ${values.length} values; each example of model '${model.name}' has ${model.width} (shape ${expected}).`);
    }
    return { features: Float32Array.from(values), rows: values.length / model.width };
  }

  async function infer(features: Float32Array, rows: number): Promise<{ probabilities: number[][]; labels?: string[] }> {
    const out = await batcher.submit(features, rows);
    const probabilities: number[][] = [];
    for (let r = 0; r < rows; r++) probabilities.push(Array.from(out.subarray(r * model.units, (r + 1) * model.units)));
    if (model.task !== 'classification') return { probabilities };
    const labels = probabilities.map((p) => model.classes![p.indexOf(Math.max(...p))]);
    return { probabilities, labels };
  }

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > options.bodyLimit) throw new HttpError(413, `request body of ${declared} bytes is over the limit of ${options.bodyLimit} bytes.`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > options.bodyLimit) throw new HttpError(413, `request body is over the limit of ${options.bodyLimit} bytes.`);
      chunks.push(chunk as Buffer);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new HttpError(400, 'request body is not valid JSON.');
    }
  }

  const checkModel = (name: string) => {
    if (decodeURIComponent(name) !== model.name) throw new HttpError(404, `model '${decodeURIComponent(name)}' is not served here; this server serves '${model.name}'.`);
  };

  async function route(req: IncomingMessage, res: ServerResponse, ctx: { route: string; batch?: number }): Promise<[number, unknown]> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/v2/health/live') return (ctx.route = 'live'), [200, { live: true }];
    if (method === 'GET' && path === '/v2/health/ready') return (ctx.route = 'ready'), draining ? [503, { ready: false }] : [200, { ready: true }];
    if (method === 'GET' && path === '/metrics') {
      ctx.route = 'metrics';
      return [200, { __raw: await registry.metrics(), contentType: registry.contentType }];
    }
    if (method === 'GET' && path === '/v2') return (ctx.route = 'server'), [200, { name: 'mlops-actions-model-server', version: VERSION, extensions: [] }];
    if ((m = /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?$/.exec(path)) && method === 'GET') {
      ctx.route = 'model';
      checkModel(m[1]);
      return [200, modelMeta()];
    }
    if ((m = /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?\/ready$/.exec(path)) && method === 'GET') {
      ctx.route = 'model_ready';
      checkModel(m[1]);
      return [200, { name: model.name, ready: !draining }];
    }
    if ((m = /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?\/infer$/.exec(path)) && method === 'POST') {
      ctx.route = 'infer';
      checkModel(m[1]);
      const body = (await readJson(req)) as { id?: string; inputs?: { name?: string; shape?: number[]; datatype?: string; data?: unknown }[] };
      if (!body || !Array.isArray(body.inputs) || body.inputs.length !== 1) {
        throw new HttpError(400, `expected {"inputs": [{"name": "input", "shape": [n, ${model.shape.join(', ')}], "datatype": "FP32", "data": [...]}]} with exactly one input.`);
      }
      const input = body.inputs[0];
      if (!input.datatype || !NUMERIC_TYPES.has(input.datatype)) throw new HttpError(400, `inputs[0].datatype ${JSON.stringify(input.datatype)} is not supported; send FP32 (or another numeric type).`);
      const { features, rows } = toRows(flattenNumbers(input.data, 'inputs[0].data'), input.shape, 'inputs[0]');
      ctx.batch = rows;
      const { probabilities, labels } = await infer(features, rows);
      const outputs: unknown[] = [{ name: model.task === 'classification' ? 'probabilities' : 'prediction', shape: [rows, model.units], datatype: 'FP32', data: probabilities.flat() }];
      if (labels) outputs.push({ name: 'label', shape: [rows], datatype: 'BYTES', data: labels });
      return [200, { model_name: model.name, model_version: model.version, ...(body.id ? { id: body.id } : {}), outputs }];
    }
    if ((m = /^\/v1\/models\/([^/:]+)(?:\/versions\/[^/:]+)?$/.exec(path)) && method === 'GET') {
      ctx.route = 'v1_status';
      checkModel(m[1]);
      return [200, { model_version_status: [{ version: model.version, state: draining ? 'UNLOADING' : 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] }];
    }
    if ((m = /^\/v1\/models\/([^/:]+)(?:\/versions\/[^/:]+)?:predict$/.exec(path)) && method === 'POST') {
      ctx.route = 'v1_predict';
      checkModel(m[1]);
      const body = (await readJson(req)) as { instances?: unknown[]; inputs?: unknown };
      if (body && Array.isArray(body.instances)) {
        const rows = body.instances.map((inst, i) => flattenNumbers(inst && typeof inst === 'object' && !Array.isArray(inst) ? Object.values(inst)[0] : inst, `instances[${i}]`));
        rows.forEach((r, i) => {
          if (r.length !== model.width) throw new HttpError(400, `instances[${i}] holds ${r.length} values; model '${model.name}' takes ${model.width} per example (shape [${model.shape.join(', ')}]).`);
        });
        const { features, rows: n } = toRows(rows.flat(), undefined, 'instances');
        ctx.batch = n;
        const { probabilities, labels } = await infer(features, n);
        return [200, { predictions: probabilities.map((p, i) => (labels ? { probabilities: p, class: labels[i] } : p[0])) }];
      }
      if (body && body.inputs !== undefined) {
        const raw = body.inputs && typeof body.inputs === 'object' && !Array.isArray(body.inputs) ? Object.values(body.inputs as Record<string, unknown>)[0] : body.inputs;
        const { features, rows } = toRows(flattenNumbers(raw, 'inputs'), undefined, 'inputs');
        ctx.batch = rows;
        const { probabilities, labels } = await infer(features, rows);
        return [200, { outputs: labels ? { probabilities, class: labels } : probabilities.map((p) => p[0]) }];
      }
      throw new HttpError(400, 'expected {"instances": [[...], ...]} (row form) or {"inputs": [[...], ...]} (column form).');
    }
    ctx.route = 'unknown';
    throw new HttpError(404, `no route ${method} ${path}; see GET /v2/models/${model.name} (Open Inference Protocol v2) or GET /v1/models/${model.name} (TensorFlow Serving).`);
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    const ctx: { route: string; batch?: number } = { route: 'unknown' };
    active++;
    inFlight.inc();
    const finish = (status: number, body: unknown) => {
      const raw = body as { __raw?: string; contentType?: string };
      if (raw && raw.__raw !== undefined) {
        res.writeHead(status, { 'content-type': raw.contentType! }).end(raw.__raw);
      } else {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      }
      const seconds = (performance.now() - started) / 1000;
      requests.inc({ route: ctx.route, code: String(status) });
      latency.observe({ route: ctx.route }, seconds);
      inFlight.dec();
      active--;
      log({ time: new Date().toISOString(), level: status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info', msg: 'request', method: req.method, route: ctx.route, code: status, latency_ms: +(seconds * 1000).toFixed(3), ...(ctx.batch !== undefined ? { batch_size: ctx.batch } : {}) });
    };
    route(req, res, ctx).then(
      ([status, body]) => finish(status, body),
      (error) => {
        if (error instanceof HttpError) {
          if (error.status === 413) res.setHeader('connection', 'close');
          finish(error.status, { error: error.message });
        } else {
          log({ time: new Date().toISOString(), level: 'error', msg: 'internal error', error: String((error as Error)?.stack ?? error) });
          finish(500, { error: 'internal error while serving the request; see the server log.' });
        }
      },
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolveListen());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  log({ time: new Date().toISOString(), level: 'info', msg: 'serving', model: model.name, digest: model.digest, backend: model.backend, url, load_seconds: +model.loadSeconds.toFixed(3) });

  return {
    server,
    url,
    registry,
    async drain() {
      draining = true;
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeIdleConnections();
      await batcher.drain();
      while (active > 0) await new Promise((r) => setTimeout(r, 5));
      server.closeAllConnections();
      await closed;
      log({ time: new Date().toISOString(), level: 'info', msg: 'drained and stopped' });
    },
  };
}
