import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot, runAction } from '../helpers/run-action.js';

let model: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  const work = await mkdtemp(join(tmpdir(), 'mlops-itg-serve-'));
  const pre = await runAction('preprocess-data', { source: join(repoRoot, 'examples/digits/digits.csv'), label: 'digit', normalize: 'scale:16', output: work });
  model = (await runAction('train-model', { dataset: pre.outputs.dataset, model: join(repoRoot, 'examples/models/mlp.yaml'), epochs: 2, backend: 'wasm', output: work })).outputs.model;
});
afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

/** Starts the bundled server (lib/serve.js) on a free port; resolves with its URL and log lines. */
async function startServer(env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess; logs: Record<string, unknown>[]; exited: Promise<number> }> {
  const child = spawn(process.execPath, [join(repoRoot, 'lib/serve.js'), '--model', model, '--port', '0', '--host', '127.0.0.1'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise<number>((done) => child.on('close', (code) => done(code ?? -1)));
  const url = await new Promise<string>((done, fail) => {
    let buffer = '';
    child.stdout!.on('data', (d) => {
      buffer += d;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const entry = JSON.parse(line);
        logs.push(entry);
        if (entry.msg === 'serving') done(entry.url);
      }
    });
    child.on('close', () => fail(new Error('server exited before serving')));
  });
  return { url, child, logs, exited };
}

const example = Array.from({ length: 64 }, (_, i) => (i * 7) % 17);
const infer = (url: string, rows = 1) =>
  fetch(`${url}/v2/models/mlp/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'input', shape: [rows, 64], datatype: 'FP32', data: Array.from({ length: rows }, () => example).flat() }] }) });

describe('the model server (lib/serve.js)', () => {
  test('micro-batches concurrent requests and logs one JSON line per request without payloads', async () => {
    const { url, logs } = await startServer({ MAX_WAIT_MS: '25', MAX_BATCH_SIZE: '64' });
    const answers = await Promise.all(Array.from({ length: 32 }, () => infer(url)));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const count = Number(/mlops_batch_size_count (\d+)/.exec(metrics)![1]);
    const sum = Number(/mlops_batch_size_sum (\d+)/.exec(metrics)![1]);
    expect(sum).toBe(32); // every row went through a batch (the warm-up call is not counted)
    expect(count).toBeLessThan(32); // several requests shared a model call
    const lines = logs.filter((l) => l.msg === 'request' && l.route === 'infer');
    expect(lines).toHaveLength(32);
    for (const l of lines) {
      expect(l).toMatchObject({ level: 'info', method: 'POST', code: 200, batch_size: 1, latency_ms: expect.any(Number) });
      expect(JSON.stringify(l)).not.toContain('data');
    }
  });

  test('SIGTERM drains the requests in flight, then exits 0', async () => {
    // An idle model waits up to 2 s for company: the ten requests are still queued when SIGTERM comes.
    const { url, child, logs, exited } = await startServer({ MAX_WAIT_MS: '2000' });
    const pending = Array.from({ length: 10 }, () => infer(url, 4));
    await new Promise((r) => setTimeout(r, 400));
    child.kill('SIGTERM');
    const answers = await Promise.all(pending);
    expect(answers.map((r) => r.status)).toEqual(new Array(10).fill(200));
    expect(await exited).toBe(0);
    expect(logs.at(-1)).toMatchObject({ msg: 'drained and stopped' });
  });
});
