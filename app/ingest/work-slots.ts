import { availableParallelism } from "node:os";

/**
 * At most `size` ingest batches are decompressed, parsed, validated and written at once;
 * the rest wait in line holding only their raw bytes (which ByteBudget bounds). Parsing is
 * CPU work on one thread and writing waits for a pooled connection, so more at once buys
 * no throughput, only memory: fifty parsed batches waiting for ten connections held
 * hundreds of MB. Waiting is bounded by the request deadline.
 */
/**
 * Batches parsed and written at once when nothing says otherwise (INGEST_CONCURRENCY): one
 * per core, two to four. On two cores shared with PostgreSQL, four batches at once bought
 * no ingest (×4: 35,700-37,200 events/s, against 38,800-39,800 with two) and starved the
 * queries beside them: 20 readers asking once a second while four clients ingest waited
 * p50 83-117 ms, p95 294-351, against 41-43 and 205-220 with two (#15, bench, 1M events, PG15).
 */
export const DEFAULT_INGEST_CONCURRENCY = Math.max(2, Math.min(4, availableParallelism()));

export class WorkSlots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];
  readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  /** Runs `work` when a slot is free. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next in line
      else this.busy--;
    }
  }

  get queued(): number {
    return this.waiting.length;
  }
}
