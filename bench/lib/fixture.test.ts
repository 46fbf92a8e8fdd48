import { expect, it } from "vitest";
import { liveBodies, liveEvents } from "./fixture.ts";

// The mixed-load phases send these bodies again and again; each send must be the same
// events stamped anew, as a shipper's live traffic is (#15).
it("fills each body's timestamps in at send time, each its own offset back, and leaves the rest as liveEvents makes it", () => {
  const bodies = liveBodies(3_000, 5, 1_000);
  expect(bodies).toHaveLength(3);
  const events = liveEvents(3_000, 5).slice(1_000, 2_000);
  const at = (now: number) => JSON.parse(bodies[1]!.body(now)) as Record<string, unknown>[];
  const now = Date.now();
  const [first, later] = [at(now), at(now + 3_600_000)];
  const withoutTime = (e: Record<string, unknown>) => ({ ...e, timestamp: undefined });
  expect(first.map(withoutTime)).toEqual(events.map((e) => withoutTime(JSON.parse(JSON.stringify(e)))));
  const offsets = first.map((e, i) => Date.parse(later[i]!.timestamp as string) - Date.parse(e.timestamp as string));
  expect(new Set(offsets)).toEqual(new Set([3_600_000]));
  // Each event keeps its own place in the last ten seconds, not one time for the batch.
  const ages = first.map((e) => now - Date.parse(e.timestamp as string));
  expect(Math.max(...ages)).toBeLessThanOrEqual(10_100);
  expect(new Set(first.map((e) => e.timestamp)).size).toBeGreaterThan(500);
});
