// client-go's workqueue, in the small: keys, not objects, so the latest state is read when
// the work runs; one run per key at a time with at most one more behind it; delayed adds
// for scheduled work; and a rate-limited requeue for failures.

export type Backoff = { baseMs: number; maxMs: number };

/** Per-key exponential backoff, as workqueue.DefaultItemBasedRateLimiter: base·2^failures, capped. */
export function backoffDelay(failures: number, { baseMs, maxMs }: Backoff): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(failures, 30));
}

export class WorkQueue {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly pending = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private shuttingDown = false;
  private readonly process: (key: string) => Promise<void>;
  private readonly backoff: Backoff;

  /** `process` is processNextWorkItem: it must not throw (failures come back through addRateLimited). */
  constructor(process: (key: string) => Promise<void>, backoff: Backoff = { baseMs: 1_000, maxMs: 300_000 }) {
    this.process = process;
    this.backoff = backoff;
  }

  add(key: string): void {
    if (this.shuttingDown || this.pending.has(key)) return;
    this.pending.add(key);
    const run = (this.chains.get(key) ?? Promise.resolve()).then(async () => {
      this.pending.delete(key);
      await this.process(key);
    });
    this.chains.set(key, run);
  }

  /** Adds the key once `delayMs` has passed, replacing any earlier schedule for it. */
  addAfter(key: string, delayMs: number): void {
    this.cancel(key);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, Math.min(Math.max(0, delayMs), 2 ** 31 - 1));
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Requeues a key whose work failed, later each time it fails again. */
  addRateLimited(key: string): void {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    this.addAfter(key, backoffDelay(failures, this.backoff));
  }

  /** The key's work succeeded: its next failure starts the backoff afresh. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Drops a key's schedule (its object is gone, or this replica stopped leading). */
  cancel(key: string): void {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  cancelAll(): void {
    for (const key of [...this.timers.keys()]) this.cancel(key);
  }

  /** Stops taking work and waits for what is running. */
  async shutDown(): Promise<void> {
    this.shuttingDown = true;
    this.cancelAll();
    await Promise.all(this.chains.values());
  }
}
