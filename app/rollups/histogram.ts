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
 * ln(1.02 / 0.98) as failsight_latency_bucket divides by it: PostgreSQL takes the logarithm
 * of the exact ratio in numeric and rounds once, 2 ulp from Math.log of the rounded ratio.
 */
export const LN_BUCKET_RATIO = 0.040005334613699116;
/** The buckets smallint holds either side of ZERO_BUCKET. */
const MAX_BUCKET = 32767;

/**
 * The bucket of a latency: failsight_latency_bucket of migrations/0011, computed here so
 * ingest rolls a batch up before it reaches the database; rollups.test.ts holds the two to
 * each other on the database (they may differ in the last bit at a bucket's edge, where
 * either bucket stands for the latency within 2%). `ms` is finite (ingest's field limits).
 */
export function bucketOfLatency(ms: number): number {
  if (ms <= 0) return ZERO_BUCKET;
  return Math.max(-MAX_BUCKET, Math.min(MAX_BUCKET, Math.ceil(Math.log(ms) / LN_BUCKET_RATIO)));
}

/**
 * The latency a bucket stands for: failsight_latency_value of migrations/0011, computed
 * here so merged histograms need no round trip per bucket; rollups.test.ts holds the two
 * to each other on the database.
 */
export function latencyOfBucket(bucket: number): number {
  return bucket === ZERO_BUCKET ? 0 : (2 * Math.pow(BUCKET_RATIO, bucket)) / (BUCKET_RATIO + 1);
}

/**
 * Buckets from DENSE_MIN to DENSE_MAX (latencies from about 1e-9 ms to 1e9 ms, every
 * realistic one) are held in a flat array that grows to the span seen; the zero bucket and
 * the rest go to a map. A 24h /status merges ~4,000 roll-up rows' lists per call, and a Map
 * per bucket cost ~3 ms of it (#15); the array costs a tenth. It starts small and grows
 * because a /status call builds two histograms per service.
 */
const DENSE_MIN = -512;
const DENSE_MAX = 511;
const DENSE_START = 64;

/**
 * A latency histogram merged from roll-up rows: counts by bucket. Rows arrive as the
 * comma-joined text of their bucket and count arrays (string_agg of array_to_string), which
 * is far cheaper for PostgreSQL to produce than one row per bucket to group and sort.
 */
export class LatencyHistogram {
  /** Counts of buckets `base`, `base` + 1, …; empty until the first bucket in range. */
  private dense = new Float64Array(0);
  private base = 0;
  private readonly sparse = new Map<number, number>();

  /**
   * Adds `buckets` and `counts`, two comma-separated lists of integers of the same length
   * (array_to_string of smallint[] and int[]); null adds nothing. `sign` -1 takes them away
   * (a window's edge hour less the minutes outside it). Read in place, without splitting:
   * this is the /status hot path.
   */
  addLists(buckets: string | null, counts: string | null, sign: 1 | -1 = 1): this {
    if (buckets === null || counts === null) return this;
    let i = 0;
    let j = 0;
    for (;;) {
      const bucket = readInt(buckets, i);
      const count = readInt(counts, j);
      this.add(bucket.value, sign * count.value);
      i = bucket.next;
      j = count.next;
      const bucketsDone = i >= buckets.length;
      if (bucketsDone !== j >= counts.length) throw new Error(`histogram lists differ in length (${listLength(buckets)} buckets, ${listLength(counts)} counts)`);
      if (bucketsDone) return this;
      i++;
      j++;
    }
  }

  addAll(other: LatencyHistogram): this {
    for (let k = 0; k < other.dense.length; k++) if (other.dense[k]) this.add(other.base + k, other.dense[k]!);
    for (const [bucket, n] of other.sparse) this.add(bucket, n);
    return this;
  }

  /** Nearest-rank quantiles (histogramQuantiles) over the buckets left with events; null without any. */
  quantiles(qs: readonly number[]): (number | null)[] {
    const { buckets, counts } = this.cells();
    return histogramQuantiles(buckets.map(latencyOfBucket), counts, qs);
  }

  /** The buckets left with events, ascending, and how many each holds: a roll-up row's latency_buckets and latency_counts. */
  cells(): { buckets: number[]; counts: number[] } {
    const buckets: number[] = [];
    const counts: number[] = [];
    const sparse = [...this.sparse].filter(([, n]) => n > 0).sort(([a], [b]) => a - b);
    for (const [b, n] of sparse) if (b < DENSE_MIN) buckets.push(b), counts.push(n);
    for (let k = 0; k < this.dense.length; k++) if (this.dense[k]! > 0) buckets.push(this.base + k), counts.push(this.dense[k]!);
    for (const [b, n] of sparse) if (b > DENSE_MAX) buckets.push(b), counts.push(n);
    return { buckets, counts };
  }

  private add(bucket: number, n: number) {
    if (bucket < DENSE_MIN || bucket > DENSE_MAX) {
      this.sparse.set(bucket, (this.sparse.get(bucket) ?? 0) + n);
      return;
    }
    let k = bucket - this.base;
    if (k < 0 || k >= this.dense.length) k = this.grow(bucket);
    this.dense[k]! += n;
  }

  /** Widens the array to hold `bucket` (at least doubling, within the dense range); its index. */
  private grow(bucket: number): number {
    const old = this.dense;
    const lo = old.length ? Math.min(this.base, bucket) : bucket;
    const hi = old.length ? Math.max(this.base + old.length - 1, bucket) : bucket;
    const span = Math.max(hi - lo + 1, old.length * 2, DENSE_START);
    // The room goes on the side that grew (both sides for a first bucket).
    const wanted = !old.length ? lo - span / 2 : bucket < this.base ? hi - span + 1 : lo;
    const base = Math.max(DENSE_MIN, Math.min(wanted, lo));
    const length = Math.min(Math.max(span, hi - base + 1), DENSE_MAX - base + 1);
    this.dense = new Float64Array(length);
    if (old.length) this.dense.set(old, this.base - base);
    this.base = base;
    return bucket - base;
  }
}

/**
 * SQL for a group's latency buckets and counts (of its rows that pass `where`) as two
 * comma-joined lists of equal length (rows without latencies add nothing to either), for
 * LatencyHistogram.addLists, named `${prefix}buckets` and `${prefix}counts`.
 */
export function histogramText(prefix = "", where?: string): string {
  const filter = where ? ` FILTER (WHERE ${where})` : "";
  return `string_agg(nullif(array_to_string(latency_buckets, ','), ''), ',')${filter} AS ${prefix}buckets,
       string_agg(nullif(array_to_string(latency_counts, ','), ''), ',')${filter} AS ${prefix}counts`;
}

/** The integer starting at `from` in a comma-joined list, and where it ends. */
function readInt(text: string, from: number): { value: number; next: number } {
  let i = from;
  const negative = text.charCodeAt(i) === 45; // -
  if (negative) i++;
  let value = 0;
  const start = i;
  for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) value = value * 10 + (c - 48);
  if (i === start || (i < text.length && text.charCodeAt(i) !== 44)) throw new Error(`histogram list is not comma-joined integers: ${JSON.stringify(text.slice(from, from + 20))}`);
  return { value: negative ? -value : value, next: i };
}

const listLength = (text: string) => text.split(",").length;
