import { seededRandom } from "./seeded-random.ts";

// Native events for differential tests of the ingest fast paths: every field gets values on
// both sides of each bound, of the wrong type, and text PostgreSQL cannot store, combined
// at random from a fixed seed. Most events are valid (each field mostly takes one of its
// first three values), so a batch of them is often clean.

const long = (n: number, c = "a") => c.repeat(n);
const name = (max: number) => ["checkout", "a", long(max), long(max + 1), "", "has space", "ümlaut", "tab\t", "x\u0000", 42, null, ["a"], { a: 1 }];
const text = (max: number) => ["", "hello", long(max), long(max + 1), "nul\u0000", "lone \ud800 high", "lone \udc00 low", "pair \ud83d\ude80 ok", "quote \" back \\", 7, null, true];
export const VALUES: Record<string, unknown[]> = {
  service: name(128),
  timestamp: [
    "2026-11-25T10:00:00Z", "2026-11-25T10:00:00.123Z", "2026-11-25T10:00:00.123456+02:00", "2024-02-29T23:59:59.999Z", "2026-02-29T12:00:00.000Z", "2026-11-25T10:00:60.000Z",
    "1970-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z", "2026-11-25T10:00:00.000z", "2026-11-25T10:00:00,000Z", "2026-11-25t10:00:00z", "2026-02-30T10:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25 10:00:00Z",
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
    {}, { region: "eu" }, { n: [1, { deep: null }] }, { "bad\u0000key": 1 }, { v: "lone \ud800" }, JSON.parse('{"__proto__": {"x": 1}}'), nest(31), nest(32), nest(33), [], null, "x", 1,
    // Text the JSON of which holds a \u escape or many brackets, all storable; and a pair split across a key.
    { wide: Array.from({ length: 40 }, (_, i) => [i]) }, { path: "C:\\users\\u0041" }, { ctl: "bell\u0007" }, { "k\ud83d": "\ude80" }, { ok: "pair \ud83d\ude80" },
  ],
};
export const KEYS = Object.keys(VALUES);

function nest(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) v = { d: v };
  return v;
}

/** Each value of each field on its own, then `count` random combinations (some with an unknown field, no service, or a field given as undefined). */
export function nativeEventCases(seed: number, count: number): unknown[] {
  const cases: unknown[] = [];
  for (const key of KEYS) for (const v of VALUES[key]!) cases.push(key === "service" ? { service: v } : { service: "svc", [key]: v });
  cases.push(...randomNativeEvents(seed, count));
  cases.push(null, [], "event", 1, { service: undefined });
  return cases;
}

/** `count` random combinations of the values above. */
export function randomNativeEvents(seed: number, count: number, options: { oddities?: number } = {}): Record<string, unknown>[] {
  const next = seededRandom(seed);
  const odd = options.oddities ?? 0.05;
  const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]!;
  return Array.from({ length: count }, () => {
    const event: Record<string, unknown> = {};
    for (const key of KEYS) if (key === "service" || next() < 0.5) event[key] = next() < 0.85 ? pick(VALUES[key]!.slice(0, 3)) : pick(VALUES[key]!);
    if (next() < odd) event[pick(["extra", "Service", "msg"])] = 1;
    if (next() < odd) delete event.service;
    if (next() < odd) event[pick(KEYS.filter((k) => k !== "service"))] = undefined;
    return event;
  });
}
