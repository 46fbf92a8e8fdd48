import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../api/app.ts";
import { ROLLUP_COLUMNS, rollupSql } from "../rollups/rollup-sql.ts";
import { HourHistograms } from "../status/hour-histograms.ts";
import { testHarness, unique } from "../test-support/harness.ts";
import { halveJsonArray } from "./formats/halve-json-array.ts";
import { nativeJson, parseBatch } from "./formats/native-json.ts";
import { Intake } from "./intake.ts";
import { MAX_BATCH_EVENTS } from "./limits.ts";
import { ParsePool } from "./parse-pool.ts";

// A large JSON array, sent as a shipper sends them, one at a time, is one statement in one
// transaction (intake.ts). Until #15 such a body was cut in two and its head written while
// its tail was parsed; these held the cut to what the whole body stores and answers, and
// now hold the one statement to it. Sent alone, it is parsed in halves on two workers
// (parse-pool.ts), which must store and answer exactly what the whole body does: these
// send through the API as it runs, with a real parse pool.
const h = testHarness();
const pool = new ParsePool(1);
afterAll(() => pool.close());
// Bodies that arrive alone are parsed in halves once a few have come in a row and the spare worker runs.
beforeAll(async () => {
  const text = JSON.stringify(eventsOf("warm-up", 2_000));
  for (let i = 0; i < 100 && !pool.halving; i++) {
    // A body of its own each time: the pool moves it to a worker.
    const body = Buffer.from(text);
    await pool.parse({ format: nativeJson.name, body, receivedAt: new Date(), lenient: false, serviceLabels: [], allowance: body.length }, { alone: true });
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(pool.halving).toBe(true);
});
let appended = 0;
let app: ReturnType<typeof createApp> | undefined;
async function post(services: string[], events: unknown[]) {
  app ??= createApp({
    sql: h.appPool,
    serviceIds: h.serviceIds,
    hourHistograms: new HourHistograms(),
    now: () => new Date(),
    auth: "on",
    intake: new Intake({ sql: h.appPool, serviceIds: h.serviceIds, now: () => new Date(), parser: pool, rollupRows: { written: (rows) => (appended += rows) } }),
  });
  const key = (await h.caller({ ingest: services })).key!;
  return app.request("/v1/logs", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(events) });
}
const eventsOf = (service: string, n: number) => Array.from({ length: n }, (_, i) => ({ service, message: `event ${i} of a large batch, padded to make the body some 300 KB long` }));
const stored = async (service: string) =>
  (await h.sql<{ message: string }[]>`SELECT e.message FROM log_events e JOIN services s ON s.id = e.service_id WHERE s.name = ${service} ORDER BY e.id`).map((r) => r.message);

describe("a large batch", () => {
  it("is stored whole, in the body's order, by one statement", async () => {
    const service = unique("large");
    const events = eventsOf(service, 4_000);
    expect(JSON.stringify(events).length).toBeGreaterThan(256 * 1024);
    const res = await post([service], events);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ accepted: 4_000 });
    expect(await stored(service)).toEqual(events.map((e) => e.message));
    // Each statement journals its ids (live tail reads them).
    const [journal] = await h.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM ingest_batches b
      WHERE EXISTS (SELECT 1 FROM log_events e JOIN services s ON s.id = e.service_id WHERE s.name = ${service} AND e.id = b.first_id)`;
    expect(journal!.n).toBe(1);
    expect(pool.halved, "parsed in halves").toBeGreaterThan(0);
  });

  it("whose middle falls inside a message that looks like the seam between two events, is stored as sent", async () => {
    const service = unique("large-seams");
    // Messages full of `},{`; as many events as put the first one past the middle inside a
    // message, so that the halves are not JSON and the body is parsed whole.
    const withSeams = (n: number) => eventsOf(service, n).map((e, i) => ({ ...e, message: `${i} ${"},{".repeat(40)}` }));
    const cutInAMessage = (events: unknown[]) => {
      try {
        JSON.parse(halveJsonArray(Buffer.from(JSON.stringify(events)))![0].toString());
        return false;
      } catch {
        return true;
      }
    };
    let n = 4_000;
    while (!cutInAMessage(withSeams(n))) n++;
    const events = withSeams(n);
    const res = await post([service], events);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await stored(service)).toEqual(events.map((e) => e.message));
  });

  it("appends one partial roll-up row per service and minute or hour, counting every event", async () => {
    const [a, b] = [unique("large-rolled"), unique("large-rolled")];
    // Every service and minute all through the body, so a batch written in parts, each
    // rolling up its own, would append a row per part for every key.
    const start = Date.now() - 10 * 60_000;
    const events = Array.from({ length: 4_000 }, (_, i) => ({
      service: i % 2 ? a : b,
      timestamp: new Date(start - (i % 3) * 60_000 - (i % 1_000)).toISOString(),
      level: i % 7 ? "info" : "error",
      status: i % 7 ? 200 : 503,
      latency_ms: (i % 50) * 3.5,
      message: `event ${i} of a large batch, padded to make the body some 300 KB long`,
    }));
    appended = 0;
    const res = await post([a, b], events);
    expect(res.status, await res.clone().text()).toBe(200);
    const ids = (await h.sql<{ id: number }[]>`SELECT id FROM services WHERE name IN (${a}, ${b})`).map((r) => r.id).join(", ");
    const [journal] = await h.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM ingest_batches b WHERE EXISTS (SELECT 1 FROM log_events e WHERE e.id = b.first_id AND e.service_id IN (${h.sql.unsafe(ids)}))`;
    expect(journal!.n, "one statement").toBe(1);
    // Rows as rollupSql makes them of the stored events: the same rows, one per key. (A
    // compaction by another test file meanwhile merges a key's rows to the same values;
    // the count of appended rows is the intake's own.)
    const rows = async (select: string) =>
      (await h.sql.unsafe(`SELECT * FROM (${select}) x ORDER BY 1, 2, 3`).values()).map((r) => r.map((v) => (v instanceof Date ? v.toISOString() : v)));
    const reference = await rows(rollupSql(`(SELECT * FROM log_events WHERE service_id IN (${ids}))`));
    expect(reference.length).toBeGreaterThanOrEqual(2 * 3 + 2);
    expect(appended).toBe(reference.length);
    const written = await rows(`SELECT ${ROLLUP_COLUMNS.join(", ")} FROM log_rollups WHERE service_id IN (${ids})`);
    expect(written).toEqual(reference);
  });

  it("with a bad event near its end, is refused whole, naming it, and nothing of it stays", async () => {
    const service = unique("large-bad");
    const events: Record<string, unknown>[] = eventsOf(service, 4_000);
    events[3_900] = { ...events[3_900], level: "deafening", status: 42 };
    const res = await post([service], events);
    expect(res.status).toBe(400);
    const whole = parseBatch(events, { receivedAt: new Date(), lenient: false });
    if (whole.ok) throw new Error("the fixture must be refused");
    expect(((await res.json()) as { errors: unknown[] }).errors).toEqual(whole.errors);
    expect(whole.errors.every((e) => e.index === 3_900)).toBe(true);
    expect(await stored(service)).toEqual([]);
  });

  it("naming a service outside the ingest key's scope near its end, is refused whole", async () => {
    const service = unique("large-mine");
    const events = eventsOf(service, 4_000);
    const theirs = unique("large-theirs");
    events[3_999] = { ...events[3_999]!, service: theirs };
    const res = await post([service], events);
    expect(res.status, await res.clone().text()).toBe(403);
    // The intake's own answer, which names the service.
    expect(((await res.json()) as { detail: string }).detail).toBe(`this ingest key may not write to ${theirs}; nothing was stored`);
    expect(await stored(service)).toEqual([]);
  });

  it("of more events than a batch may hold, is refused whole", async () => {
    const service = unique("large-many");
    const events = Array.from({ length: MAX_BATCH_EVENTS + 1 }, (_, i) => ({ service, message: `message ${i}` }));
    expect(JSON.stringify(events).length).toBeGreaterThan(256 * 1024);
    const res = await post([service], events);
    expect(res.status).toBe(413);
    const whole = parseBatch(events, { receivedAt: new Date(), lenient: false });
    if (whole.ok) throw new Error("the fixture must be refused");
    expect(((await res.json()) as { errors: unknown[] }).errors).toEqual(whole.errors);
    expect(await stored(service)).toEqual([]);
  });
});
