import { describe, expect, it } from "vitest";
import { encodeCursor } from "./cursor.ts";
import { planLogsQuery, readsServiceIndexInOrder } from "./plan.ts";
import { LogsQuery } from "./query-params.ts";

const now = new Date("2026-11-24T12:00:00.000Z");
const query = (q: Record<string, string | string[]>) => LogsQuery.parse(q);

describe("planLogsQuery", () => {
  it("resolves relative bounds against the clock and status classes to ranges", () => {
    const result = planLogsQuery(query({ from: "now-1h", to: "now", status: "5xx", service: "a,b", level: "warn" }), now);
    expect(result).toMatchObject({
      ok: true,
      plan: { from: new Date("2026-11-24T11:00:00Z"), to: now, status: { min: 500, max: 599 }, services: ["a", "b"], minLevel: "warn", order: "desc", limit: 100 },
    });
  });

  it("takes an exact status as a one-value range", () => {
    expect(planLogsQuery(query({ status: "404" }), now)).toMatchObject({ ok: true, plan: { status: { min: 404, max: 404 } } });
  });

  it("names every bad bound at once", () => {
    const result = planLogsQuery(query({ from: "soon", to: "later" }), now);
    expect(result).toMatchObject({ ok: false, errors: [{ field: "from" }, { field: "to" }] });
  });

  it("refuses from after to", () => {
    expect(planLogsQuery(query({ from: "now", to: "now-1h" }), now)).toMatchObject({ ok: false, errors: [{ field: "from" }] });
  });

  it("keeps the first page's bounds on later pages, so `now-1h` does not drift", () => {
    const first = planLogsQuery(query({ from: "now-1h" }), now);
    if (!first.ok) throw new Error("first page should plan");
    const cursor = encodeCursor({ f: first.plan.fingerprint, ts: "2026-11-24T11:30:00.000000Z", id: 7, s: 99, from: first.plan.from!.getTime() });
    const later = planLogsQuery(query({ from: "now-1h", cursor }), new Date(now.getTime() + 600_000));
    expect(later).toMatchObject({ ok: true, plan: { from: first.plan.from, after: { ts: "2026-11-24T11:30:00.000000Z", id: 7 }, snapshotId: 99 } });
  });

  it("refuses a cursor from a query with other filters or another order", () => {
    const first = planLogsQuery(query({ service: "a" }), now);
    if (!first.ok) throw new Error("first page should plan");
    const cursor = encodeCursor({ f: first.plan.fingerprint, ts: "2026-11-24T11:30:00.000000Z", id: 7, s: 99 });
    expect(planLogsQuery(query({ service: "a", cursor, limit: "5" }), now).ok).toBe(true);
    expect(planLogsQuery(query({ service: "b", cursor }), now)).toMatchObject({ ok: false, cursor: true });
    expect(planLogsQuery(query({ service: "a", order: "asc", cursor }), now)).toMatchObject({ ok: false, cursor: true });
  });

  it("treats the same services in another order as the same query", () => {
    const a = planLogsQuery(query({ service: ["x", "y"] }), now);
    const b = planLogsQuery(query({ service: "y,x" }), now);
    expect(a.ok && b.ok && a.plan.fingerprint === b.plan.fingerprint).toBe(true);
  });

  it.each([
    ["a month 13", { ts: "2026-13-01T00:00:00.000000Z" }],
    ["February 30", { ts: "2026-02-30T00:00:00.000000Z" }],
    ["year 0000", { ts: "0000-01-01T00:00:00.000000Z" }],
    ["a timestamp without microseconds", { ts: "2026-11-24T11:30:00Z" }],
    ["a negative id", { id: -1 }],
    ["an id past 2^53", { id: 2 ** 60 }],
    ["a fractional snapshot", { s: 1.5 }],
    ["a from of 1e20", { from: 1e20 }],
    ["a to before 1970", { to: -1 }],
  ])("refuses a cursor of the same query with %s, one field broken at a time", (_what, broken) => {
    const first = planLogsQuery(query({ service: "a" }), now);
    if (!first.ok) throw new Error("fixture");
    const good = { f: first.plan.fingerprint, ts: "2026-11-24T11:30:00.000000Z", id: 7, s: 99 };
    expect(planLogsQuery(query({ service: "a", cursor: encodeCursor(good) }), now).ok).toBe(true);
    expect(planLogsQuery(query({ service: "a", cursor: encodeCursor({ ...good, ...broken }) }), now)).toMatchObject({ ok: false, cursor: true });
  });

  it("refuses a cursor that is not one of ours", () => {
    expect(planLogsQuery(query({ cursor: "bm90LWEtY3Vyc29y" }), now)).toMatchObject({ ok: false, cursor: true });
    expect(planLogsQuery(query({ cursor: "%%%" }), now)).toMatchObject({ ok: false, cursor: true });
  });
});

describe("readsServiceIndexInOrder", () => {
  const planOf = (query: Record<string, string>) => {
    const planned = planLogsQuery(LogsQuery.parse(query), new Date("2026-11-24T12:00:00Z"));
    if (!planned.ok) throw new Error("should plan");
    return planned.plan;
  };
  it("walks one service's index for filters no other index serves", () => {
    expect(readsServiceIndexInOrder(planOf({ service: "a" }))).toBe(true);
    expect(readsServiceIndexInOrder(planOf({ service: "a", level: "error", q: "timeout", from: "now-1h", order: "asc" }))).toBe(true);
  });
  it("leaves the choice to PostgreSQL for several services, or a filter with an index of its own", () => {
    expect(readsServiceIndexInOrder(planOf({}))).toBe(false);
    expect(readsServiceIndexInOrder(planOf({ service: "a,b" }))).toBe(false);
    expect(readsServiceIndexInOrder(planOf({ service: "a", trace_id: "t1" }))).toBe(false);
    expect(readsServiceIndexInOrder(planOf({ service: "a", error_code: "E_X" }))).toBe(false);
    expect(readsServiceIndexInOrder(planOf({ service: "a", status: "5xx" }))).toBe(false);
  });
});
