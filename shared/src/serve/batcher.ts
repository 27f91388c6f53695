/**
 * Dynamic micro-batching: requests that arrive while the model is busy are queued and run
 * together as one model call as soon as it is free (or when maxBatchSize rows are waiting).
 * An idle model takes a request at once — after maxWaitMs for company when that is set —
 * so a lone request pays no batching delay. Each request gets its own rows back.
 */
export class MicroBatcher {
  private queue: { rows: number; features: Float32Array; resolve: (out: Float32Array) => void; reject: (e: unknown) => void }[] = [];
  private queuedRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private busy = false;
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
      else if (!this.busy) this.schedule();
      // While busy, the queue is flushed when the model call in progress ends.
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Requests that arrive in the same turn of the event loop join the batch.
    if (this.options.maxWaitMs > 0) this.timer = setTimeout(() => this.flush(), this.options.maxWaitMs);
    else setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.scheduled = false;
    if (!this.queue.length) return;
    const batch: MicroBatcher['queue'] = [];
    let rows = 0;
    while (this.queue.length && (rows === 0 || rows + this.queue[0].rows <= this.options.maxBatchSize)) {
      const next = this.queue.shift()!;
      rows += next.rows;
      batch.push(next);
    }
    this.queuedRows -= rows;
    this.busy = true;
    this.running = this.running.then(() => this.execute(batch, rows)).finally(() => {
      this.busy = false;
      if (this.queue.length) this.flush();
    });
  }

  private async execute(batch: MicroBatcher['queue'], rows: number): Promise<void> {
    const { width, units } = this.options;
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
    while (this.queue.length || this.busy || this.scheduled) {
      if (this.queue.length && !this.busy) this.flush();
      await this.running;
      await new Promise((r) => setImmediate(r));
    }
  }
}
