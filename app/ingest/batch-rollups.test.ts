import { describe, expect, it } from "vitest";
import { SEVERITIES } from "../domain/vocabulary.ts";
import { BatchRollups, combineRollups, rollupColumns, type BatchRollup } from "./batch-rollups.ts";

type Event = { service: string; ts: string; level: (typeof SEVERITIES)[number]; status?: number; latencyMs?: number };

/** A roll-up of `events` as a parse worker makes it: services indexed in order of first appearance. */
function rollUp(events: readonly Event[]): BatchRollup {
  const services: string[] = [];
  const rollups = new BatchRollups();
  for (const e of events) {
    let ix = services.indexOf(e.service) + 1;
    if (!ix) ix = services.push(e.service);
    rollups.add(ix, e.ts, e.level, e.status, e.latencyMs);
  }
  return { services, rollupMinutes: rollups.cells() };
}

/** The INSERT's rows with each service named, in one order: what a roll-up writes, whatever its indexes. */
function rowsOf(rollup: BatchRollup) {
  const columns = rollupColumns(rollup.rollupMinutes);
  const list = (literal: string) => JSON.parse(`[${literal.slice(1, -1)}]`) as unknown[];
  const service = list(columns.serviceIndex).map((ix) => rollup.services[(ix as number) - 1]);
  const columnsInOrder = [columns.ts, columns.bucketSeconds, columns.counts, columns.latencySum, columns.latencyBuckets, columns.latencyCounts, columns.lastTs].map(list);
  return service.map((name, i) => [name, ...columnsInOrder.map((values) => values[i])]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

describe("a batch's roll-up", () => {
  // A cut batch's halves are rolled up on two workers and written as one roll-up
  // (intake.ts): the combination must be what one worker makes of the whole body.
  it("of two halves, combined, is the whole batch's, whatever order each half met its services in", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const hourEdge = Date.parse("2026-11-25T10:00:00.000Z");
    for (let round = 0; round < 20; round++) {
      const events: Event[] = Array.from({ length: 300 }, () => ({
        service: `svc-${Math.floor(rand() * 4)}`,
        // Minutes either side of an hour's edge: minute and hour rows both merge.
        ts: new Date(hourEdge + Math.floor((rand() - 0.5) * 6 * 60_000)).toISOString(),
        level: SEVERITIES[Math.floor(rand() * SEVERITIES.length)]!,
        ...(rand() < 0.8 ? { status: [200, 302, 404, 503][Math.floor(rand() * 4)] } : {}),
        // Quarters add up exactly in any order.
        ...(rand() < 0.7 ? { latencyMs: Math.floor(rand() * 4_000) / 4 } : {}),
      }));
      const at = 1 + Math.floor(rand() * (events.length - 1));
      const head = rollUp(events.slice(0, at));
      const tail = rollUp(events.slice(at));
      const combined = combineRollups(head, tail);
      expect(rowsOf(combined), `round ${round}`).toEqual(rowsOf(rollUp(events)));
      // Each key once: as many rows as the whole batch's.
      expect(combined.rollupMinutes.length).toBe(rollUp(events).rollupMinutes.length);
    }
  });

  it("of two halves, combined, leaves each half as it was", () => {
    const head = rollUp([{ service: "a", ts: "2026-11-25T10:00:01.000Z", level: "info", latencyMs: 5 }]);
    const tail = rollUp([{ service: "a", ts: "2026-11-25T10:00:02.000Z", level: "error", latencyMs: 5 }]);
    const before = [rowsOf(head), rowsOf(tail)];
    combineRollups(head, tail);
    expect([rowsOf(head), rowsOf(tail)]).toEqual(before);
  });
});
