import { Agent, request } from 'node:http';

export interface LoadOptions {
  url: string;
  /** Request bodies to cycle through. */
  bodies: string[];
  connections: number;
  durationMs: number;
  /** Requests per second across all connections; 0 = as fast as the server answers. */
  rate: number;
  /** Hard cap on requests. */
  maxRequests: number;
  timeoutMs: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  /** Status code → count ('error' for connection failures and timeouts). */
  codes: Record<string, number>;
  seconds: number;
  latenciesMs: number[];
}

/**
 * A bounded HTTP load: `connections` workers on keep-alive sockets, each sending the next
 * body until the duration, the request cap or the rate budget runs out. Loopback or in-cluster
 * only; it never runs unbounded.
 */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const target = new URL(o.url);
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
  const started = performance.now();
  const deadline = started + o.durationMs;
  const result: LoadResult = { requests: 0, errors: 0, codes: {}, seconds: 0, latenciesMs: [] };
  let issued = 0;
  const interval = o.rate > 0 ? 1000 / o.rate : 0;
  const send = (body: string) =>
    new Promise<string>((done) => {
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: o.timeoutMs },
        (res) => {
          res.resume();
          res.on('end', () => done(String(res.statusCode)));
          res.on('error', () => done('error'));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => done('error'));
      req.end(body);
    });
  const worker = async () => {
    for (;;) {
      const now = performance.now();
      if (now >= deadline || issued >= o.maxRequests) return;
      const n = issued++;
      if (interval > 0) {
        const due = started + n * interval;
        if (due > now) await new Promise((r) => setTimeout(r, due - now));
        if (performance.now() >= deadline) return;
      }
      const t0 = performance.now();
      const code = await send(o.bodies[n % o.bodies.length]);
      result.latenciesMs.push(performance.now() - t0);
      result.requests++;
      result.codes[code] = (result.codes[code] ?? 0) + 1;
      if (code === 'error' || Number(code) >= 400) result.errors++;
    }
  };
  await Promise.all(Array.from({ length: o.connections }, worker));
  result.seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return result;
}

/** The q-quantile (0..1) of a list of numbers, nearest rank. */
export function quantile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
