import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "../rollups/histogram.ts";
import { HourHistograms } from "./hour-histograms.ts";

const hours = (h0: string, h1: string) => ({ h0: `2026-11-25T${h0}:00:00.000Z`, h1: `2026-11-26T${h1}:00:00.000Z` });

describe("HourHistograms", () => {
  it("hands back a histogram only for the same hours still holding the same number of events", () => {
    const held = new HourHistograms();
    const span = hours("06", "05");
    const histogram = new LatencyHistogram().addLists("3", "7");
    held.set(1, span, 7, histogram);
    expect(held.get(1, span, 7)).toBe(histogram);
    expect(held.get(1, span, 8)).toBeUndefined(); // a late event arrived
    expect(held.get(2, span, 7)).toBeUndefined();
    expect(held.get(1, hours("07", "06"), 7)).toBeUndefined(); // the window moved on
    expect(held.known(span)).toEqual({ serviceIds: [1], events: [7] });
    expect(held.known(hours("07", "06"))).toEqual({ serviceIds: [], events: [] });
  });

  it("keeps one entry per service and span length, replaced as the window moves", () => {
    const held = new HourHistograms();
    held.set(1, hours("06", "05"), 7, new LatencyHistogram());
    held.set(1, hours("07", "06"), 9, new LatencyHistogram());
    expect(held.known(hours("06", "05")).serviceIds).toEqual([]);
    expect(held.known(hours("07", "06"))).toEqual({ serviceIds: [1], events: [9] });
  });

  it("stays within its bound however many services pass through", () => {
    const held = new HourHistograms(3);
    const span = hours("06", "05");
    for (let id = 1; id <= 10; id++) held.set(id, span, id, new LatencyHistogram());
    expect(held.known(span).serviceIds.length).toBeLessThanOrEqual(3);
    expect(held.get(10, span, 10)).toBeDefined();
  });
});
