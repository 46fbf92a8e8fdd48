import { describe, expect, it } from "vitest";
import type { LogEvent } from "../domain/log-event.ts";
import { testHarness } from "../test-support/harness.ts";
import { toColumns } from "./event-columns.ts";

// The column literals are parsed by PostgreSQL's own array input: every value must come
// back exactly, whatever it holds, or ingest would store something other than was sent.
const h = testHarness();

const awkward = ['say "hi"', "back\\slash", "tail\\", '\\"', "a,b", "{braces}", "NULL", "null", "", " spaced ", "line\nbreak\ttab", "ünïcödé ✓ 🚀", "'quote'",
  // JSON writes these as escapes an array literal does not have (array-literal.ts)...
  "ctl\u0001\u001f\u007f", "cr\r\nlf", "\b\f", "sep\u2028\u2029",
  // ...and these are text that only looks like an escape.
  "\\n not a newline", "\\u0041 not an A", "\\\\", "\\\n"];

const events: LogEvent[] = awkward.map((message, i) => ({
  service: i % 3 === 0 ? "alpha" : i % 3 === 1 ? "beta" : 'g"amma',
  timestamp: new Date(Date.UTC(2026, 10, 25, 10, 0, i, i)),
  level: i % 2 ? "error" : "info",
  message,
  ...(i % 2 ? { status: 500 + i, error_code: message } : { status: 200 }),
  ...(i % 4 ? { latency_ms: i === 1 ? 1e-7 : i * 0.1 } : {}),
  ...(i % 5 ? {} : { trace_id: message, span_id: message, method: message, route: message }),
  ...(i % 2 ? { attributes: { text: message, n: i, nested: [null, { k: message }] } } : {}),
}));

describe("event columns", () => {
  it("come back from PostgreSQL's array input as the values they were made from", async () => {
    const c = toColumns(events);
    const rows = await h.sql`
      SELECT ts::timestamptz AS ts, service_ix, level, message, method, route, status, error_code, latency_ms, trace_id, span_id, attributes::jsonb AS attributes
      FROM unnest(${c.ts}::text[], ${c.serviceIndex}::int[], ${c.level}::text[], ${c.message}::text[], ${c.method}::text[], ${c.route}::text[],
                  ${c.status}::smallint[], ${c.error_code}::text[], ${c.latency_ms}::float8[], ${c.trace_id}::text[], ${c.span_id}::text[], ${c.attributes}::text[])
        AS e(ts, service_ix, level, message, method, route, status, error_code, latency_ms, trace_id, span_id, attributes)`;
    expect(rows).toHaveLength(events.length);
    rows.forEach((row, i) => {
      const e = events[i]!;
      expect(new Date(row.ts as string).getTime()).toBe(e.timestamp.getTime());
      expect(c.services[(row.service_ix as number) - 1]).toBe(e.service);
      expect(row).toMatchObject({
        level: e.level,
        message: e.message,
        method: e.method ?? null,
        route: e.route ?? null,
        status: e.status ?? null,
        error_code: e.error_code ?? null,
        latency_ms: e.latency_ms ?? null,
        trace_id: e.trace_id ?? null,
        span_id: e.span_id ?? null,
        attributes: e.attributes ?? null,
      });
    });
    expect(c.services).toEqual(["alpha", "beta", 'g"amma']);
    expect(c.count).toBe(events.length);
  });

  it("tally what the metrics count: status classes, errors by code, latencies in seconds", () => {
    const { tally } = toColumns([
      { service: "a", timestamp: new Date(), level: "info", status: 200, latency_ms: 250 },
      { service: "a", timestamp: new Date(), level: "info", status: 204 },
      { service: "a", timestamp: new Date(), level: "error", status: 503, error_code: "UPSTREAM" },
      { service: "a", timestamp: new Date(), level: "error", status: 404 },
      { service: "b", timestamp: new Date(), level: "fatal" },
      { service: "b", timestamp: new Date(), level: "warn", latency_ms: 1500 },
    ]);
    expect(tally.requests).toEqual([
      ["a", "2xx", 2],
      ["a", "4xx", 1],
      ["a", "5xx", 1],
      ["b", "none", 2],
    ]);
    // A 4xx is the caller's mistake; an error-level event without a status is an error.
    expect(tally.errors).toEqual([
      ["a", "UPSTREAM", 1],
      ["b", "none", 1],
    ]);
    expect(tally.latencies.map(([s, v]) => [s, [...v]])).toEqual([
      ["a", [0.25]],
      ["b", [1.5]],
    ]);
  });
});
