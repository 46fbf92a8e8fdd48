import { beforeAll, describe, expect, it } from "vitest";
import { recordTransitions } from "../../../status/repository.ts";
import { evaluateServices } from "../../../status/service-status.ts";
import { freshDatabase } from "../../../test-support/fresh-database.ts";
import { testHarness, unique } from "../../../test-support/harness.ts";
import { HourHistograms } from "../../../status/hour-histograms.ts";

// The clock is pinned so the window is exact; the events sit in the current month. A
// database of its own: status trackers of other files (checks, dependencies) evaluate every
// service of theirs at the real time, and a "down" they recorded for `failing` after the
// pinned clock hid this file's own transition from its window (CI, once, on PG15).
const now = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
const h = testHarness({ now: () => now, databaseUrl: await freshDatabase() });
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

const slow = unique("slow");
const healthy = unique("healthy");
const failing = unique("failing");
const quiet = unique("quiet");

beforeAll(async () => {
  const events = [
    // slow: latencies 1..100 ms inside the 5-minute window, 10 of them 5xx.
    ...Array.from({ length: 100 }, (_, i) => ({ service: slow, timestamp: ago(1000 + i * 1000), latency_ms: i + 1, status: i < 10 ? 500 : 200 })),
    // outside the window: must not count, but is the quiet service's last event.
    { service: slow, timestamp: ago(10 * 60_000), latency_ms: 100_000, status: 500 },
    // healthy: 50 fast events, one error-level event without a status.
    ...Array.from({ length: 50 }, (_, i) => ({ service: healthy, timestamp: ago(2000 + i * 100), latency_ms: 5, level: i === 0 ? "error" : "info" })),
    // failing: 3 of 4 fail (a 4xx does not count as an error).
    ...[503, 500, 502, 404].map((status, i) => ({ service: failing, timestamp: ago(5000 + i), status, latency_ms: 20 })),
    { service: quiet, timestamp: ago(30 * 60_000), message: "last heard of" },
  ];
  expect((await h.postJson("/v1/logs", events)).status).toBe(200);
});

type Status = { service: string; state: string; requests: number; errors: number; error_rate: number; latency_ms: { p50: number; p95: number; p99: number }; last_event_at: string | null; reason: string };

describe("GET /status", () => {
  it("gives counts, error rate and percentiles that match a hand computation", async () => {
    const res = await h.get("/status?window=5m");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { window: string; services: Status[] };
    const s = body.services.find((x) => x.service === slow)!;
    // Nearest rank of 1..100 ms: p50 = 50, p95 = 95, p99 = 99, read from the roll-ups'
    // histograms (and raw events for the window's partial minutes) within 2%.
    expect(s).toMatchObject({ requests: 100, errors: 10, error_rate: 0.1, state: "degraded" });
    expect(Math.abs(s.latency_ms.p50 / 50 - 1)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(s.latency_ms.p95 / 95 - 1)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(s.latency_ms.p99 / 99 - 1)).toBeLessThanOrEqual(0.02);
    expect(s.last_event_at).toBe(ago(1000));

    const ok = body.services.find((x) => x.service === healthy)!;
    expect(ok).toMatchObject({ requests: 50, errors: 1, error_rate: 0.02, state: "up" });
    const bad = body.services.find((x) => x.service === failing)!;
    expect(bad).toMatchObject({ requests: 4, errors: 3, error_rate: 0.75, state: "down" });
    const silent = body.services.find((x) => x.service === quiet)!;
    expect(silent).toMatchObject({ requests: 0, state: "unknown", last_event_at: ago(30 * 60_000) });
  });

  it("widens the window on request", async () => {
    const s = ((await (await h.get(`/status/${slow}?window=15m`)).json()) as Status);
    expect(s.requests).toBe(101);
  });

  it("applies per-service threshold overrides", async () => {
    expect((await h.patchJson(`/services/${quiet}`, { thresholds: { silence_seconds_down: 600 } })).status).toBe(200);
    expect((await h.patchJson(`/services/${slow}`, { thresholds: { error_rate_degraded: 0.2 } })).status).toBe(200);
    const quietNow = (await (await h.get(`/status/${quiet}`)).json()) as Status;
    expect(quietNow).toMatchObject({ state: "down", reason: "no events for 1800s (limit 600s)" });
    expect(((await (await h.get(`/status/${slow}`)).json()) as Status).state).toBe("up");
  });

  it("refuses a window over 24h or malformed, and answers 404 for an unknown service", async () => {
    expect((await h.get("/status?window=25h")).status).toBe(400);
    expect((await h.get("/status?window=soon")).status).toBe(400);
    expect((await h.get("/status?windw=5m")).status).toBe(400);
    expect((await h.get(`/status/${unique("ghost")}`)).status).toBe(404);
  });
});

describe("state transitions and uptime", () => {
  it("records a transition only when the state changes, and derives uptime from them", async () => {
    const svc = unique("flappy");
    const t0 = new Date(now.getTime() - 3_600_000);
    const ids = await h.serviceIds.register(h.sql, [svc], (run) => run());
    const id = ids.get(svc)!;
    const at = (min: number) => new Date(t0.getTime() + min * 60_000);
    expect(await recordTransitions(h.sql, [{ serviceId: id, state: "up", reason: "ok" }], at(0))).toBe(1);
    expect(await recordTransitions(h.sql, [{ serviceId: id, state: "up", reason: "still ok" }], at(10))).toBe(0);
    expect(await recordTransitions(h.sql, [{ serviceId: id, state: "down", reason: "broken" }], at(45))).toBe(1);
    expect(await recordTransitions(h.sql, [{ serviceId: id, state: "up", reason: "fixed" }], at(51))).toBe(1);

    const events = (await (await h.get(`/status/${svc}/events?from=now-2h`)).json()) as { items: { from: string; to: string; at: string }[] };
    expect(events.items.map((e) => `${e.from}->${e.to}`)).toEqual(["unknown->up", "up->down", "down->up"]);
    expect(events.items[1]!.at).toBe(at(45).toISOString());

    // Known for 60 minutes (t0..now), down for 6 of them: read with the evaluation while the
    // API knows the service's id, and after it once it does not.
    for (const idKnown of [true, false]) {
      if (!idKnown) h.serviceIds.clear();
      expect(h.serviceIds.known([svc]) !== undefined).toBe(idKnown);
      const detail = (await (await h.get(`/status/${svc}`)).json()) as { uptime: Record<string, number | null> };
      expect(detail.uptime["24h"]).toBeCloseTo(54 / 60, 9);
      expect(detail.uptime["30d"]).toBeCloseTo(54 / 60, 9);
    }
  });

  it("the evaluator's states are what the tracker records", async () => {
    const statuses = await evaluateServices(h.sql, now, 300_000, new HourHistograms(), [failing]);
    expect(statuses.map((s) => s.state)).toEqual(["down"]);
    await recordTransitions(h.sql, statuses, new Date(now.getTime() - 1000));
    const events = (await (await h.get(`/status/${failing}/events`)).json()) as { items: { to: string; reason: string }[] };
    expect(events.items.at(-1)).toMatchObject({ to: "down", reason: "error rate 75.0% ≥ 50.0%" });
  });
});
