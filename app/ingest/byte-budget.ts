/**
 * Bytes of request bodies being decompressed, parsed and written at once, across all
 * requests: memory is bounded by this setting, not by what clients send. A request takes
 * its bytes as they become known and gives them all back when it ends; one that would go
 * over the budget is refused (429 with Retry-After), never queued without bound.
 */
/** MiB of ingest bodies in flight when nothing says otherwise (INGEST_INFLIGHT_MIB). */
export const DEFAULT_INFLIGHT_MIB = 16;

export class ByteBudget {
  private used = 0;
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }

  /** A claim for one request. `take` answers false (and takes nothing) past the budget. */
  claim() {
    let held = 0;
    return {
      take: (bytes: number): boolean => {
        if (this.used + bytes > this.limit) return false;
        this.used += bytes;
        held += bytes;
        return true;
      },
      /** What could still be taken now (a parse worker decompresses within it, then takes it). */
      room: (): number => Math.max(0, this.limit - this.used),
      release: () => {
        this.used -= held;
        held = 0;
      },
    };
  }

  get inUse(): number {
    return this.used;
  }
}

export type Claim = ReturnType<ByteBudget["claim"]>;
