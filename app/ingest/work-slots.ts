/**
 * At most `size` ingest batches are decompressed, parsed, validated and written at once;
 * the rest wait in line holding only their raw bytes (which ByteBudget bounds). Parsing is
 * CPU work on one thread and writing waits for a pooled connection, so more at once buys
 * no throughput, only memory: fifty parsed batches waiting for ten connections held
 * hundreds of MB. Waiting is bounded by the request deadline.
 */
/** Batches parsed and written at once when nothing says otherwise (INGEST_CONCURRENCY). */
export const DEFAULT_INGEST_CONCURRENCY = 4;

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
