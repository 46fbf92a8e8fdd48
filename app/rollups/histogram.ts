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
