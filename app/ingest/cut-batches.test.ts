import { describe, expect, it } from "vitest";
import { testHarness, unique } from "../test-support/harness.ts";
import { parseBatch } from "./formats/native-json.ts";
import { CUT_MIN_BYTES } from "./intake.ts";
import { MAX_BATCH_EVENTS } from "./limits.ts";

// A large JSON array sent while nothing is being written is cut in two: its head is
// written while its tail is parsed (intake.ts). As a shipper sends them, one at a time, so
// each finds the writers idle; the answer and what is stored must be the whole body's.
const h = testHarness();
const eventsOf = (service: string, n: number) => Array.from({ length: n }, (_, i) => ({ service, message: `event ${i} of a large batch, padded to make the body long enough to cut` }));
const stored = async (service: string) =>
  (await h.sql<{ message: string }[]>`SELECT e.message FROM log_events e JOIN services s ON s.id = e.service_id WHERE s.name = ${service} ORDER BY e.id`).map((r) => r.message);

describe("a large batch cut in two", () => {
  it("is stored whole, in the body's order, by two statements in one transaction", async () => {
    const service = unique("cut");
    const ingest = await h.caller({ ingest: [service] });
    const events = eventsOf(service, 4_000);
    expect(JSON.stringify(events).length).toBeGreaterThan(CUT_MIN_BYTES);
    const res = await ingest.postJson("/v1/logs", events);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ accepted: 4_000 });
    expect(await stored(service)).toEqual(events.map((e) => e.message));
    // Each statement journals its ids (live tail reads them): two, so the body was cut.
    const [journal] = await h.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM ingest_batches b
      WHERE EXISTS (SELECT 1 FROM log_events e JOIN services s ON s.id = e.service_id WHERE s.name = ${service} AND e.id = b.first_id)`;
    expect(journal!.n).toBe(2);
  });

  it("with a bad event in its tail, is refused as the whole body is, and nothing of its head stays", async () => {
    const service = unique("cut-bad");
    const ingest = await h.caller({ ingest: [service] });
    const events: Record<string, unknown>[] = eventsOf(service, 4_000);
    events[3_900] = { ...events[3_900], level: "deafening", status: 42 };
    const res = await ingest.postJson("/v1/logs", events);
    expect(res.status).toBe(400);
    const whole = parseBatch(events, { receivedAt: new Date(), lenient: false });
    if (whole.ok) throw new Error("the fixture must be refused");
    expect(((await res.json()) as { errors: unknown[] }).errors).toEqual(whole.errors);
    expect(whole.errors.every((e) => e.index === 3_900)).toBe(true);
    expect(await stored(service)).toEqual([]);
  });

  it("naming a service outside the ingest key's scope in its tail, is refused whole", async () => {
    const service = unique("cut-mine");
    const ingest = await h.caller({ ingest: [service] });
    const events = eventsOf(service, 4_000);
    const theirs = unique("cut-theirs");
    events[3_999] = { ...events[3_999]!, service: theirs };
    const res = await ingest.postJson("/v1/logs", events);
    expect(res.status, await res.clone().text()).toBe(403);
    // The intake's own answer, which names the service, as for the whole body.
    expect(((await res.json()) as { detail: string }).detail).toBe(`this ingest key may not write to ${theirs}; nothing was stored`);
    expect(await stored(service)).toEqual([]);
  });

  it("of more events than a batch may hold, is refused as the whole body is", async () => {
    const service = unique("cut-many");
    const ingest = await h.caller({ ingest: [service] });
    const events = Array.from({ length: MAX_BATCH_EVENTS + 1 }, (_, i) => ({ service, message: `message ${i}` }));
    expect(JSON.stringify(events).length).toBeGreaterThan(CUT_MIN_BYTES);
    const res = await ingest.postJson("/v1/logs", events);
    expect(res.status).toBe(413);
    const whole = parseBatch(events, { receivedAt: new Date(), lenient: false });
    if (whole.ok) throw new Error("the fixture must be refused");
    expect(((await res.json()) as { errors: unknown[] }).errors).toEqual(whole.errors);
    expect(await stored(service)).toEqual([]);
  });
});
