import { describe, expect, it } from "vitest";
import { fastLogEvent } from "./native-fast-path.ts";
import { LogEventInput } from "./native-schema.ts";
import { seededRandom } from "../../test-support/seeded-random.ts";

// The fast path must give zod's answer: the same event where zod accepts one, nothing where
// zod refuses (zod then explains). Every field gets values on both sides of each bound,
// of the wrong type, and text PostgreSQL cannot store, combined at random from a fixed seed.

const long = (n: number, c = "a") => c.repeat(n);
const name = (max: number) => ["checkout", "a", long(max), long(max + 1), "", "has space", "ümlaut", "tab\t", "x\u0000", 42, null, ["a"], { a: 1 }];
const text = (max: number) => ["", "hello", long(max), long(max + 1), "nul\u0000", "lone \ud800 high", "lone \udc00 low", "pair \ud83d\ude80 ok", "quote \" back \\", 7, null, true];
const VALUES: Record<string, unknown[]> = {
  service: name(128),
  timestamp: [
    "2026-11-25T10:00:00Z", "2026-11-25T10:00:00.123456+02:00", "2026-11-25t10:00:00z", "2026-02-30T10:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25 10:00:00Z",
    "2026-11-25T10:00:00", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59.999Z", "+010000-01-01T00:00:00Z", 1764064800000, 1764064800000.7, 0, -1, 253402300800000, "1764064800000", null, {},
  ],
  level: ["info", "ERROR", " warning ", "critical", "panic", "err", "loud", "", 30, null],
  message: text(32_768),
  method: ["GET", "post", "PaTcH", long(16, "A"), long(17, "A"), "GET1", "", "G T", 1, null],
  route: text(512),
  status: [100, 599, 99, 600, 200.5, 404, -200, "200", null, Number.NaN],
  error_code: name(128),
  latency_ms: [0, 12.5, 86_400_000, 86_400_000.1, -0.001, -0, 1e-9, "5", null, Number.POSITIVE_INFINITY],
  trace_id: name(64),
  span_id: name(64),
  attributes: [
    {}, { region: "eu" }, { n: [1, { deep: null }] }, { "bad\u0000key": 1 }, { v: "lone \ud800" }, JSON.parse('{"__proto__": {"x": 1}}'), nest(31), nest(32), [], null, "x", 1,
  ],
};
const KEYS = Object.keys(VALUES);

function nest(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) v = { d: v };
  return v;
}

describe("the native fast path", () => {
  it("gives zod's answer for every value of every field, on its own and combined", () => {
    const cases: unknown[] = [];
    for (const key of KEYS) for (const v of VALUES[key]!) cases.push(key === "service" ? { service: v } : { service: "svc", [key]: v });
    const next = seededRandom(15);
    const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]!;
    for (let i = 0; i < 5_000; i++) {
      const event: Record<string, unknown> = {};
      for (const key of KEYS) if (key === "service" || next() < 0.5) event[key] = next() < 0.85 ? pick(VALUES[key]!.slice(0, 3)) : pick(VALUES[key]!);
      if (next() < 0.05) event[pick(["extra", "Service", "msg"])] = 1;
      if (next() < 0.05) delete event.service;
      if (next() < 0.05) event[pick(KEYS.filter((k) => k !== "service"))] = undefined;
      cases.push(event);
    }
    cases.push(null, [], "event", 1, { service: undefined });

    let vouched = 0;
    for (const raw of cases) {
      const fast = fastLogEvent(raw);
      const zod = LogEventInput.safeParse(raw);
      const protoKey = typeof raw === "object" && raw !== null && Object.hasOwn(raw, "attributes") && Object.hasOwn((raw as { attributes: object }).attributes ?? {}, "__proto__");
      // Both ways: never accepts what zod refuses, and (but for the one case it leaves to zod) never refuses what zod accepts.
      if (fast !== undefined || (zod.success && !protoKey)) {
        expect({ raw, fast }).toEqual({ raw, fast: zod.success ? zod.data : "refused by zod" });
        vouched++;
      }
    }
    expect(vouched).toBeGreaterThan(1_000);
  });
});
