import { describe, expect, it } from "vitest";
import type { MetricExpr, RangeAggregation } from "./ast.ts";
import { evaluate, type Series } from "./evaluate.ts";
import { parseLogQL } from "./parser.ts";

// The evaluator over series this test makes up (a stand-in for the database, named as one):
// what it asks the database for, and the arithmetic it does itself.

const steps = { startUs: 0, stepMs: 60_000, count: 3 };
const series = (labels: Record<string, string>, values: (number | undefined)[]): Series => ({
  labels,
  points: new Map(values.flatMap((v, k) => (v === undefined ? [] : [[k, v] as [number, number]]))),
});
const metric = (query: string) => (parseLogQL(query) as { expr: MetricExpr }).expr;
const plain = (value: Awaited<ReturnType<typeof evaluate>>) =>
  value.kind === "scalar" ? value.value : value.series.map((s) => ({ labels: s.labels, points: Object.fromEntries(s.points) }));

/** A stand-in for the database: the same streams whatever is asked, and a record of the asks. */
function fakeDatabase(streams: Series[]) {
  const asked: { fn: string; labels: readonly string[] }[] = [];
  const fetch = async (range: RangeAggregation, labels: readonly string[]) => {
    asked.push({ fn: range.fn, labels });
    return streams;
  };
  return { asked, fetch };
}

describe("evaluate", () => {
  const streams = [series({ service: "a", level: "info" }, [1, 2, undefined]), series({ service: "a", level: "error" }, [3, undefined, 5]), series({ service: "b", level: "info" }, [10, 20, 30])];

  it("lets the database group an additive function summed by labels", async () => {
    const db = fakeDatabase([series({ level: "info" }, [11, 22, 30])]);
    await evaluate(metric(`sum by (level) (count_over_time({service=~".+"}[1m]))`), steps, db.fetch);
    await evaluate(metric(`sum(rate({service=~".+"}[1m]))`), steps, db.fetch);
    expect(db.asked).toEqual([
      { fn: "count_over_time", labels: ["level"] },
      { fn: "rate", labels: [] },
    ]);
  });

  it("asks for every stream and aggregates itself when the sum does not distribute", async () => {
    const db = fakeDatabase(streams);
    const value = await evaluate(metric(`max by (service) (count_over_time({service=~".+"}[1m]))`), steps, db.fetch);
    expect(db.asked[0]!.labels).toEqual(["service", "team", "level", "status", "method", "route", "error_code"]);
    expect(plain(value)).toEqual([
      { labels: { service: "a" }, points: { 0: 3, 1: 2, 2: 5 } },
      { labels: { service: "b" }, points: { 0: 10, 1: 20, 2: 30 } },
    ]);
  });

  it("averages, counts and picks topk/bottomk per step, keeping each series' labels", async () => {
    const { fetch } = fakeDatabase(streams);
    expect(plain(await evaluate(metric(`avg(count_over_time({service=~".+"}[1m]))`), steps, fetch))).toEqual([{ labels: {}, points: { 0: 14 / 3, 1: 11, 2: 17.5 } }]);
    expect(plain(await evaluate(metric(`count by (level) (count_over_time({service=~".+"}[1m]))`), steps, fetch))).toEqual([
      { labels: { level: "info" }, points: { 0: 2, 1: 2, 2: 1 } },
      { labels: { level: "error" }, points: { 0: 1, 2: 1 } },
    ]);
    expect(plain(await evaluate(metric(`bottomk(1, count_over_time({service=~".+"}[1m]))`), steps, fetch))).toEqual([
      { labels: { service: "a", level: "info" }, points: { 0: 1, 1: 2 } },
      { labels: { service: "a", level: "error" }, points: { 2: 5 } },
    ]);
  });

  it("does arithmetic between numbers and series, matching series on equal labels", async () => {
    const { fetch } = fakeDatabase(streams);
    expect(plain(await evaluate(metric("2 ^ 3 - 1"), steps, fetch))).toBe(7);
    expect(plain(await evaluate(metric("vector(1) + vector(1)"), steps, fetch))).toEqual([{ labels: {}, points: { 0: 2, 1: 2, 2: 2 } }]);
    const ratio = await evaluate(metric(`count_over_time({service=~".+"}[1m]) / count_over_time({service=~".+"}[1m]) * 10`), steps, fetch);
    expect(plain(ratio)).toEqual(streams.map((s) => ({ labels: s.labels, points: Object.fromEntries([...s.points].map(([k]) => [k, 10])) })));
    const byZero = await evaluate(metric(`count_over_time({service=~".+"}[1m]) / 0`), steps, fetch);
    expect(byZero.kind === "vector" && byZero.series[0]!.points.get(0)).toBe(Infinity);
  });

  it("refuses a metric over a parser without grouping: each line would be a series", async () => {
    const { fetch } = fakeDatabase(streams);
    await expect(evaluate(metric(`count_over_time({service="a"} | json [1m])`), steps, fetch)).rejects.toThrow(/without `by/);
    await expect(evaluate(metric(`sum by (attributes_customer) (count_over_time({service="a"} | json [1m]))`), steps, fetch)).resolves.toBeDefined();
  });
});
