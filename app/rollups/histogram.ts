/**
 * Nearest-rank quantiles of a merged latency histogram: `values` are the buckets'
 * representative latencies in ascending order (failsight_latency_value, migrations/0011)
 * and `counts` how many events each holds. The q-quantile is the value of the bucket that
 * holds the ⌈q·n⌉-th smallest event, so it is within the scale's 2% of the exact
 * nearest-rank quantile. Null without events. Pure.
 */
export function histogramQuantiles(values: readonly number[], counts: readonly number[], qs: readonly number[]): (number | null)[] {
  const total = counts.reduce((n, c) => n + c, 0);
  if (total === 0) return qs.map(() => null);
  return qs.map((q) => {
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    for (let i = 0; i < counts.length; i++) {
      seen += counts[i]!;
      if (seen >= rank) return values[i]!;
    }
    return values[values.length - 1]!;
  });
}

/** Neighbouring buckets' latencies differ by this factor: each bucket is within 2% of its events. */
const BUCKET_RATIO = 1.02 / 0.98;
/** Where zero and negative latencies go (failsight_latency_bucket). */
const ZERO_BUCKET = -32768;

/**
 * The latency a bucket stands for: failsight_latency_value of migrations/0011, computed
 * here so merged histograms need no round trip per bucket; rollups.test.ts holds the two
 * to each other on the database.
 */
export function latencyOfBucket(bucket: number): number {
  return bucket === ZERO_BUCKET ? 0 : (2 * Math.pow(BUCKET_RATIO, bucket)) / (BUCKET_RATIO + 1);
}

/**
 * A latency histogram merged from roll-up rows: counts by bucket. Rows arrive as the
 * comma-joined text of their bucket and count arrays (string_agg of array_to_string), which
 * is far cheaper for PostgreSQL to produce than one row per bucket to group and sort.
 */
export class LatencyHistogram {
  private readonly counts = new Map<number, number>();

  /** Adds `buckets` and `counts`, two comma-separated lists of the same length; null adds nothing. */
  addLists(buckets: string | null, counts: string | null): this {
    if (buckets === null || counts === null) return this;
    const b = buckets.split(",");
    const c = counts.split(",");
    if (b.length !== c.length) throw new Error(`histogram lists differ in length (${b.length} buckets, ${c.length} counts)`);
    for (let i = 0; i < b.length; i++) this.add(Number(b[i]), Number(c[i]));
    return this;
  }

  addAll(other: LatencyHistogram): this {
    for (const [bucket, n] of other.counts) this.add(bucket, n);
    return this;
  }

  /** Nearest-rank quantiles (histogramQuantiles); null without events. */
  quantiles(qs: readonly number[]): (number | null)[] {
    const buckets = [...this.counts.keys()].sort((a, b) => a - b);
    return histogramQuantiles(buckets.map(latencyOfBucket), buckets.map((b) => this.counts.get(b)!), qs);
  }

  private add(bucket: number, n: number) {
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + n);
  }
}
