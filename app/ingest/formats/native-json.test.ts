import { describe, expect, it } from "vitest";
import { MAX_BATCH_EVENTS } from "../limits.ts";
import { toColumns } from "../event-columns.ts";
import { cleanBatchColumns, parseBatch } from "./native-json.ts";
import { LogEventInput } from "./native-schema.ts";
import { randomNativeEvents } from "../../test-support/native-event-cases.ts";
import { seededRandom } from "../../test-support/seeded-random.ts";

const receivedAt = new Date("2026-11-24T10:00:00Z");

describe("parseBatch", () => {
  it("accepts a bare array and an {events} envelope alike", () => {
    const event = { service: "api", message: "hi" };
    const bare = parseBatch([event], { receivedAt, lenient: false });
    const wrapped = parseBatch({ events: [event] }, { receivedAt, lenient: false });
    expect(bare).toEqual(wrapped);
    expect(bare.ok && bare.events[0]).toMatchObject({ service: "api", message: "hi", level: "info", timestamp: receivedAt });
  });

  it("reads ISO-8601 with an offset and epoch milliseconds as the same instant", () => {
    const result = parseBatch(
      [
        { service: "a", timestamp: "2026-03-01T01:30:00+01:00" },
        { service: "a", timestamp: Date.UTC(2026, 2, 1, 0, 30) },
      ],
      { receivedAt, lenient: false },
    );
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.events[0]!.timestamp.getTime()).toBe(result.events[1]!.timestamp.getTime());
  });

  it("folds level case and common aliases onto the six severities", () => {
    const result = parseBatch(["WARNING", "Error", "critical", "debug"].map((level) => ({ service: "a", level })), { receivedAt, lenient: false });
    expect(result.ok && result.events.map((e) => e.level)).toEqual(["warn", "error", "fatal", "debug"]);
  });

  it("reports every bad event by index and field, and keeps none of the batch", () => {
    const result = parseBatch(
      [
        { service: "ok" },
        { service: "a", level: "loud" },
        { service: "", status: 999 },
        { service: "b", timestamp: "yesterday", sevrity: "info" },
      ],
      { receivedAt, lenient: false },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const where = result.errors.map((e) => `${e.index}:${e.field}`);
    expect(where).toEqual(expect.arrayContaining(["1:level", "2:service", "2:status", "3:timestamp", "3:sevrity"]));
    expect(result.errors.find((e) => e.field === "sevrity")?.message).toBe("unknown field");
    expect(result.errors.some((e) => e.index === 0)).toBe(false);
  });

  it("refuses NUL characters, which PostgreSQL cannot store", () => {
    const result = parseBatch([{ service: "a", message: "a\u0000b" }, { service: "a", attributes: { k: "x\u0000" } }], { receivedAt, lenient: false });
    expect(result.ok || result.errors.map((e) => `${e.index}:${e.field}`)).toEqual(["0:message", "1:attributes"]);
  });

  it("refuses a timestamp outside 1970..9999 (seconds sent as milliseconds land in 1970)", () => {
    const result = parseBatch([{ service: "a", timestamp: -5 }, { service: "a", timestamp: "10000-01-01T00:00:00Z" }], { receivedAt, lenient: false });
    expect(result.ok).toBe(false);
  });

  it("refuses an empty batch, an oversized one, and a body of the wrong shape", () => {
    expect(parseBatch([], { receivedAt, lenient: false })).toMatchObject({ ok: false, errors: [{ field: "events" }] });
    const big = Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => ({ service: "a" }));
    expect(parseBatch(big, { receivedAt, lenient: false })).toMatchObject({ ok: false, errors: [{ field: "events", message: expect.stringContaining("at most") }] });
    expect(parseBatch({ service: "a" }, { receivedAt, lenient: false })).toMatchObject({ ok: false, errors: [{ field: "body" }] });
    expect(parseBatch({ events: [{ service: "a" }], extra: 1 }, { receivedAt, lenient: false })).toMatchObject({ ok: false, errors: [{ field: "extra" }] });
  });
});

describe("a clean batch read straight into columns", () => {
  it("gives the columns toColumns makes of parseBatch's events, and leaves every other batch to parseBatch", () => {
    // As bodies arrive: through JSON text, so only what JSON can say.
    const events = JSON.parse(JSON.stringify(randomNativeEvents(7, 6_000))) as Record<string, unknown>[];
    const valid = events.filter((e) => LogEventInput.safeParse(e).success);
    const next = seededRandom(8);
    const draw = (from: unknown[], n: number) => Array.from({ length: n }, () => from[Math.floor(next() * from.length)]);
    const bodies: unknown[] = [];
    for (let i = 0; i < 400; i++) bodies.push(draw(events, 1 + Math.floor(next() * 4)), draw(valid, 1 + Math.floor(next() * 40)));
    bodies.push({ events: draw(valid, 10) }, { events: draw(valid, 10), extra: 1 }, { logs: draw(valid, 3) }, [], draw(valid, MAX_BATCH_EVENTS + 1), "x", null);

    let clean = 0;
    for (const body of bodies) {
      const columns = cleanBatchColumns(body, receivedAt);
      const parsed = parseBatch(body, { receivedAt, lenient: false });
      const protoKey = JSON.stringify(body)?.includes('"__proto__"');
      if (columns) {
        expect(parsed.ok).toBe(true);
        expect(columns).toEqual(parsed.ok && toColumns(parsed.events));
        clean++;
      } else {
        // Only a batch parseBatch refuses, or one with a key zod must copy, is left to it.
        expect({ body, refused: !parsed.ok || protoKey }).toEqual({ body, refused: true });
      }
    }
    expect(clean).toBeGreaterThan(400);
  });
});
