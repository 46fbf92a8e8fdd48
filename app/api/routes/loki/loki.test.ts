import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { bootstrapGrafanaKey, GRAFANA_USER } from "../../../access/bootstrap.ts";
import { generateKey } from "../../../access/key-format.ts";
import { registry } from "../../../metrics/registry.ts";
import { testHarness, unique, type Caller } from "../../../test-support/harness.ts";

// Failsight as a Loki datasource, through the real app on the real database, as Grafana
// calls it. Every answer is checked against a filter written here, over the events this
// file sent: the compiler's output is never the expectation.

const h = testHarness();
const teamA = unique("team-loki-a");
const teamB = unique("team-loki-b");
const a = unique("checkout");
const b = unique("search");
const LEVELS = ["debug", "info", "warn", "error"] as const;
const ROUTES = ["/pay", "/cart", "/find"];
const base = Math.floor((Date.now() - 3 * 3_600_000) / 60_000) * 60_000; // a whole minute, 3 h ago

type Sent = { service: string; timestamp: string; ms: number; level: string; message: string; status: number; method: string; route: string; error_code?: string; latency_ms: number; attributes: Record<string, unknown> };
const world: Sent[] = Array.from({ length: 120 }, (_, i) => ({
  service: i % 3 === 0 ? b : a,
  ms: base + i * 60_000 + 500,
  timestamp: new Date(base + i * 60_000 + 500).toISOString(),
  level: LEVELS[i % 4]!,
  message: i % 5 === 0 ? `payment Timeout after ${i} ms` : `request ${i} served`,
  status: [200, 200, 404, 500, 503][i % 5]!,
  method: i % 2 ? "POST" : "GET",
  route: ROUTES[i % 3]!,
  ...(i % 7 === 0 ? { error_code: "E_UPSTREAM" } : {}),
  latency_ms: 10 + ((i * 37) % 400),
  attributes: { customer: `c-${i % 4}`, region: i % 2 ? "eu" : "us" },
}));
const startNs = `${base - 60_000}000000`;
const endNs = `${base + 121 * 60_000}000000`;

type Streams = { status: string; data: { resultType: string; result: { stream: Record<string, string>; values: [string, string][] }[] } };
type Matrix = { status: string; data: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] } };

async function loki<T>(path: string, params: Record<string, string>, as: Pick<Caller, "get"> = h): Promise<{ status: number; body: T }> {
  const res = await as.get(`${path}?${new URLSearchParams(params)}`);
  return { status: res.status, body: (await res.json()) as T };
}

async function lines(query: string, extra: Record<string, string> = {}, as: Pick<Caller, "get"> = h) {
  const { status, body } = await loki<Streams>("/loki/api/v1/query_range", { query, start: startNs, end: endNs, limit: "1000", ...extra }, as);
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body.data.resultType).toBe("streams");
  return body.data.result.flatMap((s) => s.values.map(([ts, line]) => ({ ts, line, labels: s.stream })));
}

/** How many metric queries have read the roll-ups so far (the API's query timing, by operation). */
const rollupReads = async () =>
  ((await registry.getSingleMetric("failsight_db_query_duration_seconds")!.get()).values as { labels: Record<string, string>; metricName?: string; value: number }[]).find(
    (v) => v.labels.operation === "loki_metric_rollups" && v.metricName?.endsWith("_count"),
  )?.value ?? 0;

const messagesOf = (events: Sent[]) => events.map((e) => e.message).sort();

let viewer: Caller;
beforeAll(async () => {
  await h.sql`INSERT INTO teams (name) VALUES (${teamA}), (${teamB})`;
  await h.sql`INSERT INTO services (name, owner_team) VALUES (${a}, ${teamA}), (${b}, ${teamB})`;
  const sent = world.map(({ ms: _ms, ...event }) => event);
  expect((await h.postJson("/v1/logs", sent)).status).toBe(200);
  viewer = await h.caller({ role: "viewer", teams: [teamA] });
});

describe("query_range: log queries", () => {
  const cases: [string, (e: Sent) => boolean][] = [
    [`{service="${a}"}`, (e) => e.service === a],
    [`{service=~"${a}|${b}", level="error"}`, (e) => e.level === "error"],
    [`{service=~"${a}|${b}", level!="error"}`, (e) => e.level !== "error"],
    [`{team="${teamB}"}`, (e) => e.service === b],
    [`{service=~"${a}|${b}", status=~"5.."}`, (e) => e.status >= 500],
    [`{service=~"${a}|${b}", status="404", method="GET"}`, (e) => e.status === 404 && e.method === "GET"],
    [`{service=~"${a}|${b}", route!~"/(pay|cart)"}`, (e) => e.route === "/find"],
    // Label regexes match the whole value, as in Loki; line regexes any part of the line.
    [`{service=~"${a}|${b}", route=~"/pa"}`, () => false],
    [`{service=~"${a}|${b}", route=~"/pa.*"} |~ "Timeout after 1"`, (e) => e.route === "/pay" && /Timeout after 1/.test(e.message)],
    [`{service=~"${a}|${b}", error_code!="E_UPSTREAM"}`, (e) => e.error_code !== "E_UPSTREAM"],
    [`{service=~"${a}|${b}", error_code="E_UPSTREAM"}`, (e) => e.error_code === "E_UPSTREAM"],
    [`{service=~"${a}|${b}", error_code=""}`, (e) => e.error_code === undefined],
    [`{service=~"${a}|${b}"} |= "Timeout"`, (e) => e.message.includes("Timeout")],
    [`{service=~"${a}|${b}"} |= "timeout"`, () => false],
    [`{service=~"${a}|${b}"} != "Timeout" != "served"`, () => false],
    [`{service=~"${a}|${b}"} |~ "(?i)TIMEOUT after [0-9]+0 ms"`, (e) => /timeout after \d+0 ms/i.test(e.message)],
    [`{service=~"${a}|${b}"} !~ "request [0-9]*5 "`, (e) => !/request \d*5 /.test(e.message)],
    [`{service=~"${a}|${b}"} |= "payment" or "request 7 "`, (e) => e.message.includes("payment") || e.message.includes("request 7 ")],
    [`{service=~"${a}|${b}"} | json | status >= 500`, (e) => e.status >= 500],
    [`{service=~"${a}|${b}"} | logfmt | latency_ms > 250 and level="warn"`, (e) => e.latency_ms > 250 && e.level === "warn"],
    [`{service=~"${a}|${b}"} | json | (attributes_customer = "c-2" or attributes_region="eu"), status != 200`, (e) => (e.attributes.customer === "c-2" || e.attributes.region === "eu") && e.status !== 200],
    // `and` binds tighter than `or`, as in Loki.
    [`{service=~"${a}|${b}"} | json | attributes_customer = "c-2" or attributes_region="eu" and status != 200`, (e) => e.attributes.customer === "c-2" || (e.attributes.region === "eu" && e.status !== 200)],
    [`{service=~"${a}|${b}"} | json | attributes_customer =~ "c-[13]" | drop __error__`, (e) => ["c-1", "c-3"].includes(e.attributes.customer as string)],
  ];
  it.each(cases)("%s", async (query, keep) => {
    const found = await lines(query);
    expect(found.map((l) => l.line).sort()).toEqual(messagesOf(world.filter(keep)));
  });

  it("labels each stream with the event's labels, and the parsed ones after | json", async () => {
    const [line] = await lines(`{service="${b}", error_code="E_UPSTREAM"}`, { limit: "1" });
    const sent = world.filter((e) => e.service === b && e.error_code).at(-1)!;
    expect(line!.labels).toEqual({ service: b, team: teamB, level: sent.level, status: String(sent.status), method: sent.method, route: sent.route, error_code: "E_UPSTREAM" });
    const [parsed] = await lines(`{service="${b}", error_code="E_UPSTREAM"} | json`, { limit: "1" });
    expect(parsed!.labels).toMatchObject({ latency_ms: String(sent.latency_ms), attributes_customer: sent.attributes.customer, attributes_region: sent.attributes.region });
  });

  it("returns nanosecond timestamps, newest first by default, oldest first forward, at most limit", async () => {
    const backward = await lines(`{service="${a}"}`, { limit: "5" });
    const newest = world.filter((e) => e.service === a).slice(-5).reverse();
    expect(backward.map((l) => l.ts)).toEqual(newest.map((e) => `${e.ms}000000`));
    const forward = await lines(`{service="${a}"}`, { limit: "3", direction: "forward" });
    expect(forward.map((l) => l.line)).toEqual(world.filter((e) => e.service === a).slice(0, 3).map((e) => e.message));
  });

  it("takes start inclusive and end exclusive, in nanoseconds, seconds or RFC 3339", async () => {
    const from = world[10]!;
    const to = world[20]!;
    const expected = messagesOf(world.slice(10, 20));
    const q = `{service=~"${a}|${b}"}`;
    expect((await lines(q, { start: `${from.ms}000000`, end: `${to.ms}000000` })).map((l) => l.line).sort()).toEqual(expected);
    expect((await lines(q, { start: (from.ms / 1000).toFixed(3), end: (to.ms / 1000).toFixed(3) })).map((l) => l.line).sort()).toEqual(expected);
    expect((await lines(q, { start: from.timestamp, end: to.timestamp })).map((l) => l.line).sort()).toEqual(expected);
  });
});

describe("query_range and query: metric queries", () => {
  const step = 600_000; // 10 minutes, and the same range
  const grid = (fromMs: number, toMs: number) => Array.from({ length: Math.floor((toMs - fromMs) / step) + 1 }, (_, k) => fromMs + k * step);
  const startMs = base;
  const endMs = base + 120 * 60_000;
  const range = (query: string) => loki<Matrix>("/loki/api/v1/query_range", { query, start: `${startMs}000000`, end: `${endMs}000000`, step: "10m" });
  /** What a [10m] window ending at t holds: (t − 10m, t]. */
  const inWindow = (t: number) => (e: Sent) => e.ms > t - step && e.ms <= t;

  it("counts lines per step and level (sum by), as Grafana's volume histogram asks", async () => {
    const { status, body } = await range(`sum by (level) (count_over_time({service=~"${a}|${b}"}[10m]))`);
    expect(status).toBe(200);
    expect(body.data.resultType).toBe("matrix");
    const expected = LEVELS.map((level) => ({
      metric: { level },
      values: grid(startMs, endMs)
        .map((t) => [t / 1000, world.filter((e) => e.level === level && inWindow(t)(e)).length] as const)
        .filter(([, n]) => n > 0)
        .map(([t, n]) => [t, String(n)]),
    }));
    expect(body.data.result).toEqual(expect.arrayContaining(expected));
    expect(body.data.result).toHaveLength(LEVELS.length);
  });

  it("evaluates overlapping ranges (range longer than the step) and rate", async () => {
    const { body } = await range(`sum(rate({service="${a}"} |= "served" [30m]))`);
    const values = body.data.result[0]!.values;
    for (const [t, v] of values) {
      const n = world.filter((e) => e.service === a && e.message.includes("served") && e.ms > t * 1000 - 1_800_000 && e.ms <= t * 1000).length;
      expect(Number(v), `at ${t}`).toBeCloseTo(n / 1800, 10);
    }
    // A step whose window holds no line has no point, as in Loki.
    const withLines = grid(startMs, endMs).filter((t) => world.some((e) => e.service === a && e.message.includes("served") && e.ms > t - 1_800_000 && e.ms <= t));
    expect(values.map(([t]) => t * 1000)).toEqual(withLines);
  });

  it("counts only the range before each step when the step is longer than the range", async () => {
    const { body } = await range(`sum(count_over_time({service=~"${a}|${b}"} |= "served" [3m]))`);
    const expected = grid(startMs, endMs)
      .map((t) => [t / 1000, world.filter((e) => e.message.includes("served") && e.ms > t - 180_000 && e.ms <= t).length] as const)
      .filter(([, n]) => n > 0)
      .map(([t, n]) => [t, String(n)]);
    expect(body.data.result[0]!.values).toEqual(expected);
  });

  it("computes quantile_over_time of an unwrapped label by service, as PostgreSQL's percentile_cont", async () => {
    const { body } = await range(`quantile_over_time(0.9, {service=~"${a}|${b}"} | json | unwrap latency_ms [10m]) by (service)`);
    for (const series of body.data.result) {
      for (const [t, v] of series.values) {
        const sample = world.filter((e) => e.service === series.metric.service && inWindow(t * 1000)(e)).map((e) => e.latency_ms).sort((x, y) => x - y);
        const rank = 0.9 * (sample.length - 1);
        const lo = Math.floor(rank);
        const expected = sample[lo]! + (sample[Math.min(lo + 1, sample.length - 1)]! - sample[lo]!) * (rank - lo);
        expect(Number(v)).toBeCloseTo(expected, 6);
      }
    }
    expect(body.data.result.map((s) => s.metric.service).sort()).toEqual([a, b].sort());
  });

  it("aggregates series: topk, max, and arithmetic between them", async () => {
    const { body: top } = await range(`topk(1, sum by (route) (count_over_time({service=~"${a}|${b}"}[10m])))`);
    for (const series of top.data.result) {
      for (const [t, v] of series.values) {
        const counts = ROUTES.map((r) => world.filter((e) => e.route === r && inWindow(t * 1000)(e)).length);
        expect(Number(v)).toBe(Math.max(...counts));
        expect(world.filter((e) => e.route === series.metric.route && inWindow(t * 1000)(e)).length).toBe(Math.max(...counts));
      }
    }
    const { body: ratio } = await range(`sum(count_over_time({service="${a}", status=~"5.."}[10m])) / sum(count_over_time({service="${a}"}[10m])) * 100`);
    for (const [t, v] of ratio.data.result[0]!.values) {
      const all = world.filter((e) => e.service === a && inWindow(t * 1000)(e));
      expect(Number(v)).toBeCloseTo((all.filter((e) => e.status >= 500).length / all.length) * 100, 10);
    }
  });

  it("counts a line at a step's instant in that step, and one at the window's start in the step before", async () => {
    // (t − range, t], as Loki: both edges, with events exactly on them.
    const edge = unique("edges");
    const t = base + 30 * 60_000;
    const at = (ms: number) => new Date(ms).toISOString();
    expect((await h.postJson("/v1/logs", [{ service: edge, timestamp: at(t), message: "at t" }, { service: edge, timestamp: at(t - 60_000), message: "at t - 1m" }])).status).toBe(200);
    const { body } = await loki<Matrix>("/loki/api/v1/query_range", { query: `count_over_time({service="${edge}"}[1m])`, start: `${t - 120_000}000000`, end: `${t + 60_000}000000`, step: "1m" });
    expect(body.data.result.flatMap((s) => s.values)).toEqual([
      [(t - 60_000) / 1000, "1"],
      [t / 1000, "1"],
    ]);
    const lines = await loki<Streams>("/loki/api/v1/query_range", { query: `{service="${edge}"}`, start: `${t - 60_000}000000`, end: `${t}000000` });
    expect(lines.body.data.result.flatMap((s) => s.values.map(([, line]) => line))).toEqual(["at t - 1m"]);
  });

  it("counts from the minute roll-ups where they answer, to the line the events give", async () => {
    // Lines on the edges of windows, inside them, and two in one minute, for two services of a team of their own.
    const svc = unique("volume");
    const other = unique("volume-other");
    const t0 = base + 10 * 60_000;
    const offsets = [0, 1, 30_000, 59_999, 60_000, 60_001, 120_000, 300_000, 599_999, 600_000, 900_000, 1_200_000];
    const team = unique("team-volume");
    await h.sql`INSERT INTO teams (name) VALUES (${team})`;
    await h.sql`INSERT INTO services (name, owner_team) VALUES (${svc}, ${team}), (${other}, ${team})`;
    const events = offsets.map((o, i) => ({ service: i % 3 ? svc : other, timestamp: new Date(t0 + o).toISOString(), level: LEVELS[i % 4], message: `v${i}` }));
    expect((await h.postJson("/v1/logs", events)).status).toBe(200);
    const both = `service=~"${svc}|${other}"`;
    const cases: [string, string, number][] = [
      [`sum by (service, team) (count_over_time({${both}}[1m]))`, "1m", t0 - 60_000],
      [`sum by (level) (count_over_time({team="${team}"}[1m]))`, "1m", t0],
      [`sum by (level) (count_over_time({${both}, level=~"info|warn"}[5m]))`, "5m", t0 - 300_000],
      [`sum(rate({team="${team}", ${both}}[1m]))`, "10m", t0],
      [`sum by (service) (count_over_time({${both}}[2m]))`, "5m", t0],
    ];
    for (const [query, step, from] of cases) {
      const params = (q: string) => ({ query: q, start: `${from}000000`, end: `${from + 30 * 60_000}000000`, step });
      const before = await rollupReads();
      const fromRollups = await loki<Matrix>("/loki/api/v1/query_range", params(query));
      expect(await rollupReads(), `${query} read the roll-ups`).toBe(before + 1);
      // `|= ""` keeps every line and makes the query one the roll-ups cannot answer: the events' own count.
      const fromEvents = await loki<Matrix>("/loki/api/v1/query_range", params(query.replace("}[", '} |= "" [').replace("} [", '} |= "" [')));
      expect(await rollupReads(), `${query} with |= "" read the events`).toBe(before + 1);
      expect(fromRollups.body.data.result, query).toEqual(fromEvents.body.data.result);
      expect(fromRollups.body.data.result.length, query).toBeGreaterThan(0);
    }
  });

  it("counts one service from the roll-ups too, as its events count", async () => {
    const query = `sum by (level) (count_over_time({service="${a}"}[10m]))`;
    const before = await rollupReads();
    const { body } = await range(query);
    expect(body.data.result.length).toBeGreaterThan(0);
    expect(await rollupReads()).toBe(before + 1);
    // `|= ""` keeps every line and makes the query one the roll-ups cannot answer.
    const fromEvents = await range(query.replace("}[", '} |= "" ['));
    expect(await rollupReads()).toBe(before + 1);
    expect(body.data.result).toEqual(fromEvents.body.data.result);
  });

  it("answers an instant query as a vector at that time, and Grafana's health check with 2", async () => {
    const at = base + 60 * 60_000;
    const { body } = await loki<{ data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } }>("/loki/api/v1/query", {
      query: `sum by (service) (count_over_time({service=~"${a}|${b}"}[1h]))`,
      time: `${at}000000`,
    });
    expect(body.data.resultType).toBe("vector");
    for (const s of body.data.result) {
      expect(s.value).toEqual([at / 1000, String(world.filter((e) => e.service === s.metric.service && e.ms > at - 3_600_000 && e.ms <= at).length)]);
    }
    const health = await loki<{ data: { resultType: string; result: { metric: object; value: [number, string] }[] } }>("/loki/api/v1/query", { query: "vector(1)+vector(1)", time: `${at}000000` });
    expect(health.status).toBe(200);
    expect(health.body.data).toMatchObject({ resultType: "vector", result: [{ metric: {}, value: [at / 1000, "2"] }] });
  });
});

describe("labels, series, stats and volume", () => {
  const window = { start: startNs, end: endNs };

  it("lists label names, and values of a label within the window", async () => {
    const names = await loki<{ data: string[] }>("/loki/api/v1/labels", window);
    expect(names.body.data).toEqual(expect.arrayContaining(["error_code", "level", "method", "route", "service", "status", "team"]));
    const services = await loki<{ data: string[] }>("/loki/api/v1/label/service/values", window);
    expect(services.body.data).toEqual(expect.arrayContaining([a, b]));
    const routes = await loki<{ data: string[] }>("/loki/api/v1/label/route/values", { ...window, query: `{service="${b}"}` });
    expect(routes.body.data).toEqual([...new Set(world.filter((e) => e.service === b).map((e) => e.route))].sort());
  });

  it("lists the distinct label sets a selector matches", async () => {
    const { body } = await loki<{ data: Record<string, string>[] }>("/loki/api/v1/series", { ...window, "match[]": `{service="${b}", level="error"}` });
    const expected = new Set(world.filter((e) => e.service === b && e.level === "error").map((e) => `${e.status} ${e.method} ${e.route} ${e.error_code ?? ""}`));
    expect(body.data).toHaveLength(expected.size);
    expect(body.data.every((s) => s.service === b && s.team === teamB && s.level === "error")).toBe(true);
  });

  it("answers index stats and volume", async () => {
    const mine = world.filter((e) => e.service === a);
    const bytes = mine.reduce((n, e) => n + Buffer.byteLength(e.message), 0);
    const stats = await loki<Record<string, number>>("/loki/api/v1/index/stats", { ...window, query: `{service="${a}"}` });
    expect(stats.body).toMatchObject({ entries: mine.length, bytes });
    const volume = await loki<{ data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } }>("/loki/api/v1/index/volume", { ...window, query: `{service=~"${a}|${b}"}` });
    expect(volume.body.data.resultType).toBe("vector");
    expect(volume.body.data.result.find((r) => r.metric.service === a)?.value[1]).toBe(String(bytes));
  });
});

describe("the shapes of Loki's documented answers", () => {
  // Written from Loki's HTTP API reference (its examples for each endpoint), not from the routes.
  const ns = z.string().regex(/^\d{19}$/);
  const sample = z.tuple([z.number(), z.string().regex(/^(-?\d+(\.\d+)?(e[+-]\d+)?|NaN|[+-]Inf)$/)]);
  const labels = z.record(z.string(), z.string());
  const envelope = <T extends z.ZodType>(data: T) => z.strictObject({ status: z.literal("success"), data });
  const SHAPES: [string, Record<string, string>, z.ZodType][] = [
    ["/loki/api/v1/query_range", { query: `{service="${a}"}`, limit: "3" }, envelope(z.object({ resultType: z.literal("streams"), result: z.array(z.strictObject({ stream: labels, values: z.array(z.tuple([ns, z.string()])) })).min(1), stats: z.object({}) }))],
    ["/loki/api/v1/query_range", { query: `sum by (level) (count_over_time({service="${a}"}[10m]))`, step: "600" }, envelope(z.object({ resultType: z.literal("matrix"), result: z.array(z.strictObject({ metric: labels, values: z.array(sample).min(1) })).min(1) }))],
    ["/loki/api/v1/query", { query: `sum(count_over_time({service="${a}"}[6h]))`, time: endNs }, envelope(z.object({ resultType: z.literal("vector"), result: z.array(z.strictObject({ metric: labels, value: sample })).length(1) }))],
    ["/loki/api/v1/query", { query: "1 + 1", time: endNs }, envelope(z.object({ resultType: z.literal("scalar"), result: sample }))],
    ["/loki/api/v1/labels", {}, envelope(z.array(z.string()).min(1))],
    ["/loki/api/v1/label/level/values", {}, envelope(z.array(z.string()).min(1))],
    ["/loki/api/v1/series", { "match[]": `{service="${a}"}` }, envelope(z.array(labels).min(1))],
    ["/loki/api/v1/index/stats", { query: `{service="${a}"}` }, z.strictObject({ streams: z.number().int(), chunks: z.number().int(), bytes: z.number().int(), entries: z.number().int() })],
    ["/loki/api/v1/index/volume", { query: `{service="${a}"}` }, envelope(z.object({ resultType: z.literal("vector"), result: z.array(z.strictObject({ metric: labels, value: sample })).min(1) }))],
    ["/loki/api/v1/status/buildinfo", {}, z.object({ version: z.string().regex(/^\d+\.\d+\.\d+$/), revision: z.string(), branch: z.string(), buildUser: z.string(), buildDate: z.string(), goVersion: z.string() })],
  ];
  it.each(SHAPES)("%s %j", async (path, params, shape) => {
    const { status, body } = await loki<unknown>(path, { start: startNs, end: endNs, ...params });
    expect(status).toBe(200);
    const parsed = shape.safeParse(body);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });
});

describe("entitlements", () => {
  it("shows a viewer only its team's services: lines, label values, series and metrics", async () => {
    expect((await lines(`{service=~"${a}|${b}"}`, {}, viewer)).map((l) => l.line).sort()).toEqual(messagesOf(world.filter((e) => e.service === a)));
    const services = await loki<{ data: string[] }>("/loki/api/v1/label/service/values", { start: startNs, end: endNs }, viewer);
    expect(services.body.data).toContain(a);
    expect(services.body.data).not.toContain(b);
    const { body } = await loki<Matrix>("/loki/api/v1/query_range", { query: `sum by (service) (count_over_time({team=~".+"}[1h]))`, start: startNs, end: endNs, step: "1h" }, viewer);
    expect(new Set(body.data.result.map((s) => s.metric.service))).toEqual(new Set([a]));
  });

  it("takes the key as a Basic password, as Grafana's datasource sends it, and records the read", async () => {
    const res = await h.request(`/loki/api/v1/label/service/values?start=${startNs}&end=${endNs}`, {
      headers: { authorization: `Basic ${Buffer.from(`grafana:${viewer.key}`).toString("base64")}` },
    });
    expect(res.status).toBe(200);
    const [entry] = await h.sql`SELECT route, row_count FROM audit_log WHERE route = '/loki/api/v1/label/:name/values' AND user_id = (SELECT id FROM users WHERE name = ${viewer.user!}) ORDER BY id DESC LIMIT 1`;
    expect(entry).toMatchObject({ route: "/loki/api/v1/label/:name/values", row_count: 1 });
  });

  it("installs the chart's Grafana key once, for a viewer of the teams named", async () => {
    // A team-scoped grafana user: another file's admin-scoped one would share the name, so this one is renamed after.
    const key = generateKey().key;
    await h.sql`UPDATE users SET name = ${unique("grafana-before")} WHERE name = ${GRAFANA_USER}`;
    // As the API runs it at start: its runtime role.
    await bootstrapGrafanaKey(h.appPool, key, [teamA]);
    await bootstrapGrafanaKey(h.appPool, key, [teamB]); // known already: nothing changes
    const grafana = { get: async (path: string) => h.app.request(path, { headers: { authorization: `Basic ${Buffer.from(`grafana:${key}`).toString("base64")}` } }) };
    const services = await loki<{ data: string[] }>("/loki/api/v1/label/service/values", { start: startNs, end: endNs }, grafana);
    expect(services.status).toBe(200);
    expect(services.body.data.filter((s) => s === a || s === b)).toEqual([a]);
    await h.sql`UPDATE users SET name = ${unique("grafana-after")} WHERE name = ${GRAFANA_USER}`;
  });

  it("refuses a request without a key in Loki's error shape", async () => {
    const res = await h.app.request(`/loki/api/v1/labels`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: "error", code: 401, message: expect.any(String) });
  });
});

describe("errors in Loki's shape", () => {
  const bad = async (query: string) => loki<{ status: string; code: number; message: string }>("/loki/api/v1/query_range", { query, start: startNs, end: endNs });
  it.each([
    ["{service=}", /parse error at line 1, col 10/],
    [`{service=~".*"}`, /at least one regexp or equality matcher/],
    [`{service="${a}"} | line_format "{{.x}}"`, /not supported.*line_format/],
    [`stddev_over_time({service="${a}"} | json | unwrap latency_ms [5m])`, /not supported.*stddev_over_time/],
    [`count_over_time({service="${a}"} | json [5m])`, /not supported.*without `by/],
    [`{service="${a}"} | latency_ms > 5`, /not supported.*before `\| json`/],
    [`{service="${a}"} |~ "(?P<x>a)"`, /invalid regular expression/],
    [`sum(count_over_time({service="${a}"}[1m])) > 5`, /not supported.*`>`/],
  ])("%s", async (query, message) => {
    const { status, body } = await bad(query);
    expect(status, JSON.stringify(body)).toBe(400);
    expect(body.status).toBe("error");
    expect(body.message).toMatch(message);
  });

  it("refuses bad parameters and a resolution over 11,000 points", async () => {
    expect((await loki("/loki/api/v1/query_range", { query: `{service="${a}"}`, start: "yesterday" })).status).toBe(400);
    expect((await loki("/loki/api/v1/query_range", { query: `{service="${a}"}`, limit: "100000" })).status).toBe(400);
    const fine = await loki<{ message: string }>("/loki/api/v1/query_range", { query: `count_over_time({service="${a}"}[1m])`, start: startNs, end: endNs, step: "100ms" });
    expect(fine.status).toBe(400);
    expect(fine.body.message).toMatch(/maximum resolution of 11000 points/);
  });
});
