/**
 * Dynamic micro-batching: concurrent requests are queued and run as one model call when
 * the queue holds maxBatchSize rows or the oldest request has waited maxWaitMs, whichever
 * comes first. Each request gets its own rows of the batch's output back.
 */
export class MicroBatcher {
  private queue: { rows: number; features: Float32Array; resolve: (out: Float32Array) => void; reject: (e: unknown) => void }[] = [];
  private queuedRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = Promise.resolve();

  constructor(
    private readonly run: (features: Float32Array, rows: number) => Promise<Float32Array>,
    private readonly options: { width: number; units: number; maxBatchSize: number; maxWaitMs: number; onBatch?: (rows: number) => void },
  ) {}

  submit(features: Float32Array, rows: number): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, features, resolve, reject });
      this.queuedRows += rows;
      if (this.queuedRows >= this.options.maxBatchSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (!batch.length) return;
    this.queue = [];
    this.queuedRows = 0;
    // One model call at a time; the next batch fills while this one runs.
    this.running = this.running.then(() => this.execute(batch));
  }

  private async execute(batch: MicroBatcher['queue']): Promise<void> {
    const { width, units } = this.options;
    const rows = batch.reduce((n, r) => n + r.rows, 0);
    const features = new Float32Array(rows * width);
    let offset = 0;
    for (const r of batch) {
      features.set(r.features.subarray(0, r.rows * width), offset * width);
      offset += r.rows;
    }
    try {
      this.options.onBatch?.(rows);
      const out = await this.run(features, rows);
      offset = 0;
      for (const r of batch) {
        r.resolve(out.slice(offset * units, (offset + r.rows) * units));
        offset += r.rows;
      }
    } catch (error) {
      for (const r of batch) r.reject(error);
    }
  }

  /** Resolves when every queued request has been answered. */
  async drain(): Promise<void> {
    this.flush();
    await this.running;
  }
}
