import { availableParallelism } from "node:os";

/**
 * At most `size` pieces of work at once; the rest wait in line, in arrival order. The
 * intake has two: batches being decompressed, parsed and validated, and batches being
 * written (intake.ts).
 */
/**
 * Batches written at once when nothing says otherwise (INGEST_CONCURRENCY), and as many
 * parsed meanwhile: one per core, two to four. On two cores shared with PostgreSQL, four
 * writes at once bought no ingest (×4: 35,700-37,200 events/s, against 38,800-39,800 with
 * two) and starved the queries beside them: 20 readers asking once a second while four
 * clients ingest waited p50 83-117 ms, p95 294-351, against 41-43 and 205-220 with two
 * (#15, bench, 1M events, PG15).
 */
export const DEFAULT_INGEST_CONCURRENCY = Math.max(2, Math.min(4, availableParallelism()));

/** Gives a slot back; the next in line gets it at once. */
export type Release = () => void;

export class WorkSlots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];
  readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  /** A slot, once one is free: the caller gives it back (exactly once) when done. */
  async claim(): Promise<Release> {
    if (this.busy >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next in line
      else this.busy--;
    };
  }

  /** Runs `work` when a slot is free. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.claim();
    try {
      return await work();
    } finally {
      release();
    }
  }

  get queued(): number {
    return this.waiting.length;
  }
}

/**
 * Runs `first` in one of `firsts`' slots, then `second` with its result in one of
 * `seconds`' slots, keeping the first slot until a second one is free: the next job's first
 * stage overlaps this one's second, and at most `firsts.size` finished first stages wait.
 */
export async function inTwoStages<A, B>(firsts: WorkSlots, first: () => Promise<A>, seconds: WorkSlots, second: (a: A) => Promise<B>): Promise<B> {
  const firstSlot = await firsts.claim();
  let secondSlot: Release;
  let done: A;
  try {
    done = await first();
    secondSlot = await seconds.claim();
  } finally {
    firstSlot();
  }
  try {
    return await second(done);
  } finally {
    secondSlot();
  }
}
