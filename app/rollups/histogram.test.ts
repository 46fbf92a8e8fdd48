import { describe, expect, it } from "vitest";
import { histogramQuantiles, LatencyHistogram, latencyOfBucket } from "./histogram.ts";

describe("histogramQuantiles", () => {
  it("takes the bucket that holds the nearest-rank event", () => {
    // 100 events: 50 at 10, 45 at 20, 4 at 30, 1 at 40.
    expect(histogramQuantiles([10, 20, 30, 40], [50, 45, 4, 1], [0.5, 0.95, 0.99, 1])).toEqual([10, 20, 30, 40]);
    expect(histogramQuantiles([10, 20, 30, 40], [50, 45, 4, 1], [0.51, 0.96])).toEqual([20, 30]);
  });
  it("is the only value for a single event, and null for none", () => {
    expect(histogramQuantiles([7], [1], [0.5, 0.99])).toEqual([7, 7]);
    expect(histogramQuantiles([], [], [0.5])).toEqual([null]);
  });
  it("agrees with sorting the events one by one", () => {
    let seed = 3;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let round = 0; round < 50; round++) {
      const events = Array.from({ length: 1 + Math.floor(rand() * 300) }, () => 1 + Math.floor(rand() * 20)).sort((a, b) => a - b);
      const values = [...new Set(events)];
      const counts = values.map((v) => events.filter((e) => e === v).length);
      for (const q of [0.5, 0.95, 0.99]) expect(histogramQuantiles(values, counts, [q])[0]).toBe(events[Math.ceil(q * events.length) - 1]);
    }
  });
});

describe("LatencyHistogram", () => {
  it("merges comma-joined lists and other histograms bucket by bucket", () => {
    const hour = new LatencyHistogram().addLists("1,5", "3,1");
    const merged = new LatencyHistogram().addLists("5,9", "2,4").addLists(null, null).addAll(hour);
    // Buckets 1:3, 5:3, 9:4 → ten events; ranks 5, 10 and 10.
    const [p50, p95, p99] = merged.quantiles([0.5, 0.95, 0.99]);
    expect([p50, p95, p99]).toEqual([new LatencyHistogram().addLists("5", "1").quantiles([0.5])[0], new LatencyHistogram().addLists("9", "1").quantiles([0.5])[0], new LatencyHistogram().addLists("9", "1").quantiles([0.5])[0]]);
    expect(new LatencyHistogram().quantiles([0.5])).toEqual([null]);
  });
  it("refuses lists of different lengths rather than pairing them wrongly", () => {
    expect(() => new LatencyHistogram().addLists("1,2", "3")).toThrow(/differ in length/);
  });
});

describe("LatencyHistogram, wide and narrow", () => {
  it("agrees with a plain count per bucket, for buckets in and out of the array's range", () => {
    let seed = 11;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let round = 0; round < 30; round++) {
      const expected = new Map<number, number>();
      const merged = new LatencyHistogram();
      for (let row = 0; row < 1 + Math.floor(rand() * 6); row++) {
        // The zero bucket, far tails, the array's edges, the usual middle.
        const buckets = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 8) }, () => [-32768, -32767, -513, -512, 511, 512, 32767][Math.floor(rand() * 7)]! * (rand() < 0.5 ? 1 : 0) + Math.floor(rand() * 200) - 100))];
        const counts = buckets.map(() => 1 + Math.floor(rand() * 1000));
        buckets.forEach((b, i) => expected.set(b, (expected.get(b) ?? 0) + counts[i]!));
        if (rand() < 0.3) merged.addAll(new LatencyHistogram().addLists(buckets.join(","), counts.join(",")));
        else merged.addLists(buckets.join(","), counts.join(","));
      }
      const sorted = [...expected.keys()].sort((a, b) => a - b);
      const qs = [0, 0.01, 0.5, 0.95, 0.99, 1];
      expect(merged.quantiles(qs)).toEqual(histogramQuantiles(sorted.map(latencyOfBucket), sorted.map((b) => expected.get(b)!), qs));
    }
  });
  it("refuses a list that is not comma-joined integers", () => {
    expect(() => new LatencyHistogram().addLists("1,x", "3,4")).toThrow(/comma-joined integers/);
    expect(() => new LatencyHistogram().addLists("1,,2", "3,4,5")).toThrow(/comma-joined integers/);
    expect(() => new LatencyHistogram().addLists("", "")).toThrow(/comma-joined integers/);
  });
});
