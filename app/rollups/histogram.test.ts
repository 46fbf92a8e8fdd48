import { describe, expect, it } from "vitest";
import { histogramQuantiles, LatencyHistogram } from "./histogram.ts";

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
