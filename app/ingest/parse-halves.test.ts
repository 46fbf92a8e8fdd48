import { describe, expect, it } from "vitest";
import type { EventColumns } from "./event-columns.ts";
import { nativeJson, nativeNdjson } from "./formats/native-json.ts";
import { MAX_BATCH_EVENTS } from "./limits.ts";
import { HALVE_MIN_BYTES, halvesOf, joinHalves } from "./parse-halves.ts";
import { runParse, type ParseJob, type ParseOutcome } from "./parse-job.ts";

const job = (body: string, extra: Partial<ParseJob> = {}): ParseJob => ({
  format: nativeJson.name,
  body: Buffer.from(body),
  receivedAt: new Date("2026-11-25T10:00:00Z"),
  lenient: false,
  serviceLabels: [],
  allowance: 1 << 30,
  ...extra,
});

/**
 * 3,000 events: the first half from services a and b, the second from c, b and a in that
 * order (so the second half numbers its services otherwise), every service in the same
 * minutes on both sides of the middle. Latencies are multiples of 1/4, so their sums are
 * exact in either order.
 */
function events(n = 3_000, bad?: number) {
  return Array.from({ length: n }, (_, i) => ({
    service: i < n / 2 ? ["a", "b"][i % 2] : ["c", "b", "a"][i % 3],
    timestamp: new Date(Date.UTC(2026, 10, 25, 9, 58 + (i % 3), i % 60)).toISOString(),
    level: i % 5 ? "info" : "error",
    status: i === bad ? 42 : i % 5 ? 200 : 503,
    ...(i % 5 ? {} : { error_code: i % 2 ? "E_TIMEOUT" : "E_DOWN" }),
    latency_ms: (i % 400) / 4,
    message: `event ${i} with some words to make the body long enough to cut`,
  }));
}

const columnsOf = (outcome: ParseOutcome | undefined): EventColumns => {
  if (!outcome?.ok || !outcome.parsed.ok) throw new Error(`not parsed: ${JSON.stringify(outcome)}`);
  return outcome.parsed.columns;
};

/** Columns with what is a sum either way (roll-up cells, tally entries) in one order. */
function summed(columns: EventColumns) {
  const byKey = <T>(entries: [string, T][], add: (a: T, b: T) => T) => {
    const out = new Map<string, T>();
    for (const [k, v] of entries) out.set(k, out.has(k) ? add(out.get(k)!, v) : v);
    return [...out].sort(([a], [b]) => (a < b ? -1 : 1));
  };
  const { rollupMinutes, tally, ...literals } = columns;
  return {
    ...literals,
    rollupMinutes: [...rollupMinutes].map((c) => ({ ...c, latencies: [...c.latencies].sort(([a], [b]) => a - b) })).sort((x, y) => (x.start + x.service < y.start + y.service ? -1 : 1)),
    requests: byKey(tally.requests.map(([s, c, n]) => [`${s} ${c}`, n]), (x, y) => x + y),
    errors: byKey(tally.errors.map(([s, c, n]) => [`${s} ${c}`, n]), (x, y) => x + y),
    latencies: byKey(tally.latencies.map(([s, v]) => [s, [...v]]), (x, y) => [...x, ...y]),
  };
}

describe("a body parsed in halves", () => {
  const body = JSON.stringify(events());
  const halves = halvesOf(job(body))!;

  it("is cut into two jobs of the same kind", () => {
    expect(body.length).toBeGreaterThan(HALVE_MIN_BYTES);
    const [first, second] = halves;
    expect({ ...first, body: undefined }).toEqual({ ...job(body), body: undefined });
    expect(first.body.length + second.body.length).toBe(body.length + 1);
  });

  it("joined, gives the columns of the whole body, its second half's services numbered as the whole's", () => {
    const [first, second] = halves.map(runParse);
    // The cases the join must get right are in the fixture.
    expect(columnsOf(second).services).toHaveLength(3);
    expect(columnsOf(second).services).not.toEqual(["a", "b", "c"]);
    const minutes = (o: ParseOutcome | undefined) => new Set(columnsOf(o).rollupMinutes.map((c) => `${columnsOf(o).services[c.service - 1]} ${c.start}`));
    expect([...minutes(first)].filter((k) => minutes(second).has(k)).length).toBeGreaterThanOrEqual(2);

    const joined = joinHalves(first!, second!);
    const whole = runParse(job(body));
    expect(columnsOf(joined).count).toBe(3_000);
    expect(summed(columnsOf(joined))).toEqual(summed(columnsOf(whole)));
    expect(columnsOf(joined).rollupMinutes).toHaveLength(columnsOf(whole).rollupMinutes.length);
    expect(joined).toMatchObject({ ok: true, taken: 0, parsed: { rejected: [] } });
  });

  it("is not joined when a half is refused or malformed, or the two hold more than a batch may", () => {
    const [first] = halves.map(runParse);
    const refused = halvesOf(job(JSON.stringify(events(3_000, 2_999))))!.map(runParse);
    expect(columnsOf(refused[0])).toBeDefined();
    expect(joinHalves(refused[0]!, refused[1]!)).toBeUndefined();
    expect(joinHalves(runParse(job("[{")), first!)).toBeUndefined();

    const many = MAX_BATCH_EVENTS / 2 + 1;
    const small = (from: number) => JSON.stringify(Array.from({ length: many }, (_, i) => ({ service: "a", message: `m${from + i}` })));
    const joined = joinHalves(runParse(job(small(0))), runParse(job(small(many))));
    expect(joined).toBeUndefined();
    expect(joinHalves(runParse(job(small(0))), runParse(job(JSON.stringify([{ service: "a" }]))))).toBeDefined();
  });

  it("only where it is worth it and its format can cut it: not a small, lenient or NDJSON body", () => {
    expect(halvesOf(job(body, { lenient: true }))).toBeUndefined();
    expect(halvesOf(job(JSON.stringify(events(100))))).toBeUndefined();
    expect(halvesOf(job(events().map((e) => JSON.stringify(e)).join("\n"), { format: nativeNdjson.name }))).toBeUndefined();
    // A flood of tiny items is cut, and each half refuses it as the whole body does; the caller then parses the whole.
    const flood = job(`[${"{},".repeat(HALVE_MIN_BYTES)}{}]`, { countAs: "application/json" });
    const halvesOfFlood = halvesOf(flood)!.map(runParse);
    expect(halvesOfFlood[0]).toEqual(runParse(flood));
    expect(halvesOfFlood[0]).toMatchObject({ ok: false, error: { code: "payload-too-large" } });
    expect(joinHalves(halvesOfFlood[0]!, halvesOfFlood[1]!)).toBeUndefined();
  });
});
