import { addMonths, monthStart, partitionName } from "../../../partitions/months.ts";
import { asActor } from "../../../db/scoped.ts";
import type { Actor } from "../../../domain/actor.ts";
import { beforeAll, describe, expect, it } from "vitest";
import { pageShape, pageStatement, planLikeAPage, sendLogsPage } from "../../../logs/repository.ts";
import { planLogsQuery } from "../../../logs/plan.ts";
import { LogsQuery } from "../../../logs/query-params.ts";
import { testHarness, unique, type Caller } from "../../../test-support/harness.ts";
import { planNodes, type PlanNode } from "../../../test-support/query-plan.ts";
import { LogItem, LogsPage } from "./schema.ts";

const h = testHarness();
type Item = { id: number; ts: string; service: string; level: string; message: string; status: number | null; error_code: string | null; trace_id: string | null };
type Page = { items: Item[]; next_cursor: string | null };

/** A page, checked against the documented LogsPage: the route writes its JSON as text, past the type checker. */
const page = async (query: string, as: Pick<Caller, "get"> = h): Promise<Page> => {
  const res = await as.get(`/logs?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await res.json()) as Page;
  expect(LogsPage.strict().parse(body)).toEqual(body);
  for (const item of body.items) expect(Object.keys(item).sort()).toEqual(Object.keys(LogItem.shape).sort());
  return body;
};

/** Every page of a query, following next_cursor. */
async function allPages(query: string, limit: number, as: Pick<Caller, "get"> = h): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const p: Page = await page(`${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, as);
    items.push(...p.items);
    cursor = p.next_cursor;
  } while (cursor);
  return items;
}

// A fixed little world, one minute apart, ending an hour ago: two services, every level,
// statuses across classes, a couple of error codes and one trace.
const a = unique("orders");
const b = unique("billing");
const base = Date.now() - 3_600_000 - 40 * 60_000;
const at = (minute: number) => new Date(base + minute * 60_000).toISOString();
const levels = ["trace", "debug", "info", "warn", "error", "fatal"];
const world = Array.from({ length: 40 }, (_, i) => ({
  service: i % 2 === 0 ? a : b,
  timestamp: at(i),
  level: levels[i % 6],
  message: i % 5 === 0 ? `Payment TIMEOUT after retry ${i}` : `request ${i} ok_100%`,
  status: [200, 201, 404, 500, 503][i % 5],
  ...(i % 7 === 0 ? { error_code: i % 14 === 0 ? "E_TIMEOUT" : "E_CONN" } : {}),
  ...(i === 13 ? { trace_id: "trace-13" } : {}),
}));

beforeAll(async () => {
  expect((await h.postJson("/v1/logs", world)).status).toBe(200);
});

const both = `service=${a},${b}`;
const indexOf = (item: Item) => Number(/(\d+)/.exec(item.message)![1]);

describe("GET /logs filters", () => {
  it("filters by one service, and by several in either spelling", async () => {
    expect((await page(`service=${a}`)).items.every((i) => i.service === a)).toBe(true);
    expect((await page(`service=${a}`)).items).toHaveLength(20);
    expect((await page(`service=${a}&service=${b}`)).items).toHaveLength(40);
    expect((await page(both)).items).toHaveLength(40);
  });

  it("filters by minimum severity", async () => {
    const items = (await page(`${both}&level=error`)).items;
    expect(new Set(items.map((i) => i.level))).toEqual(new Set(["error", "fatal"]));
    expect(items).toHaveLength(world.filter((e) => e.level === "error" || e.level === "fatal").length);
  });

  it("filters by exact status and by status class", async () => {
    expect((await page(`${both}&status=404`)).items.map((i) => i.status)).toEqual(Array(8).fill(404));
    const fives = (await page(`${both}&status=5xx`)).items;
    expect(fives).toHaveLength(16);
    expect(fives.every((i) => i.status! >= 500 && i.status! <= 599)).toBe(true);
  });

  it("filters by error code, one or several", async () => {
    expect((await page(`${both}&error_code=E_TIMEOUT`)).items.map(indexOf).sort((x, y) => x - y)).toEqual([0, 14, 28]);
    expect((await page(`${both}&error_code=E_TIMEOUT,E_CONN`)).items).toHaveLength(6);
  });

  it("filters by time range, from inclusive and to exclusive, ISO or relative", async () => {
    const items = (await page(`${both}&from=${at(10)}&to=${at(20)}`)).items;
    expect(items.map(indexOf).sort((x, y) => x - y)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect((await page(`${both}&from=now-1h`)).items).toHaveLength(0);
    expect((await page(`${both}&from=now-2h`)).items).toHaveLength(40);
  });

  it("filters by message substring, ignoring case and treating % and _ literally", async () => {
    expect((await page(`${both}&q=payment%20timeout`)).items).toHaveLength(8);
    expect((await page(`${both}&q=${encodeURIComponent("ok_100%")}`)).items).toHaveLength(32);
    expect((await page(`${both}&q=${encodeURIComponent("ok_1000")}`)).items).toHaveLength(0);
  });

  it("filters by trace id", async () => {
    expect((await page(`trace_id=trace-13`)).items.map(indexOf)).toEqual([13]);
  });

  it("combines filters with AND", async () => {
    const items = (await page(`service=${a}&status=5xx&level=warn&from=${at(0)}&to=${at(30)}`)).items;
    const expected = world
      .map((e, i) => ({ ...e, i }))
      .filter((e) => e.service === a && e.status! >= 500 && ["warn", "error", "fatal"].includes(e.level!) && e.i < 30)
      .map((e) => e.i);
    expect(items.map(indexOf).sort((x, y) => x - y)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it("answers an unknown service with an empty page, not an error", async () => {
    expect(await page(`service=${unique("nobody")}`)).toEqual({ items: [], next_cursor: null });
  });
});

describe("GET /logs ordering and pagination", () => {
  it("orders newest first by default and oldest first with order=asc", async () => {
    const desc = (await page(both)).items.map(indexOf);
    expect(desc).toEqual([...Array(40).keys()].reverse());
    expect((await page(`${both}&order=asc`)).items.map(indexOf)).toEqual([...Array(40).keys()]);
  });

  it("pages through everything with no row skipped or repeated, in both orders", async () => {
    for (const order of ["desc", "asc"]) {
      const items = await allPages(`${both}&order=${order}`, 7);
      expect(items.map(indexOf)).toEqual(order === "desc" ? [...Array(40).keys()].reverse() : [...Array(40).keys()]);
    }
  });

  it("keeps pages stable while events keep arriving, including at the same timestamp", async () => {
    for (const order of ["desc", "asc"]) {
      const svc = unique(`moving-${order}`);
      const sameInstant = new Date(Date.now() - 60_000).toISOString();
      const initial = Array.from({ length: 120 }, (_, i) => ({ service: svc, timestamp: i < 60 ? sameInstant : new Date(Date.now() - 120_000 - i * 1000).toISOString(), message: `m${i}` }));
      expect((await h.postJson("/v1/logs", initial)).status).toBe(200);
      const seen: string[] = [];
      let cursor: string | null = null;
      let round = 0;
      do {
        const p: Page = await page(`service=${svc}&order=${order}&limit=13${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        seen.push(...p.items.map((i) => i.message));
        cursor = p.next_cursor;
        // New events between pages: newer, older and at the very instant being paged through.
        await h.postJson("/v1/logs", [
          { service: svc, message: `late-new-${order}-${round}` },
          { service: svc, timestamp: sameInstant, message: `late-same-${order}-${round}` },
          { service: svc, timestamp: new Date(Date.now() - 3_600_000).toISOString(), message: `late-old-${order}-${round}` },
        ]);
        round++;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.sort()).toEqual(initial.map((e) => e.message).sort());
    }
  });

  it("pages events whose text holds the separator the page joins its items with", async () => {
    // PostgreSQL joins a page's items with ",\n" and cuts the row past the LIMIT at the last one (logs/repository.ts).
    const svc = unique("separator");
    const tricky = Array.from({ length: 3 }, (_, i) => ({ service: svc, timestamp: at(i), message: `line ${i},\nnext,\n`, attributes: { note: `a,\nb ${i}`, [`k,\n${i}`]: "v" } }));
    expect((await h.postJson("/v1/logs", tricky)).status).toBe(200);
    const first = await page(`service=${svc}&limit=2&order=asc`);
    expect(first.items.map((i) => i.message)).toEqual(["line 0,\nnext,\n", "line 1,\nnext,\n"]);
    expect((first.items[1] as unknown as { attributes: Record<string, string> }).attributes).toEqual({ note: "a,\nb 1", "k,\n1": "v" });
    const second = await page(`service=${svc}&limit=2&order=asc&cursor=${encodeURIComponent(first.next_cursor!)}`);
    expect(second.items.map((i) => i.message)).toEqual(["line 2,\nnext,\n"]);
    expect(second.next_cursor).toBeNull();
  });

  it("rejects a tampered cursor or one from another query with 400", async () => {
    const first = await page(`service=${a}&limit=5`);
    expect(first.next_cursor).toBeTruthy();
    const other = await h.get(`/logs?service=${b}&limit=5&cursor=${first.next_cursor}`);
    expect(other.status).toBe(400);
    expect(((await other.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe("cursor");
    const tampered = Buffer.from(JSON.stringify({ v: 1, f: "x", ts: "2026-01-01T00:00:00.000000Z", id: -1, s: 0 })).toString("base64url");
    expect((await h.get(`/logs?service=${a}&cursor=${tampered}`)).status).toBe(400);
  });
});

describe("GET /logs bad parameters are 400 problems naming the field", () => {
  it.each([
    ["unknown parameter", "servce=x", "servce"],
    ["limit above 1000", "limit=1001", "limit"],
    ["limit not a number", "limit=ten", "limit"],
    ["unknown level", "level=loud", "level"],
    ["bad status", "status=6xx", "status"],
    ["bad time", "from=yesterday", "from"],
    ["bad order", "order=up", "order"],
  ])("%s", async (_name, query, field) => {
    const res = await h.get(`/logs?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const body = (await res.json()) as { errors: { field: string }[] };
    expect(body.errors.map((e) => e.field)).toContain(field);
  });
});

describe("a page's statement", () => {
  const plans = [
    {},
    { service: a },
    { service: `${a},${b},x,y,z` },
    { level: "warn", status: "5xx", error_code: "E1,E2,E3" },
    { q: "time%out", trace_id: "t", from: "now-1h", to: "now" },
    { order: "asc", service: a, level: "error" },
  ];

  it("has one text per shape, whatever the filters and however many services or codes", () => {
    const texts = new Map<string, Set<string>>();
    for (const params of plans) {
      const planned = planLogsQuery(LogsQuery.parse(params), new Date());
      if (!planned.ok) throw new Error("should plan");
      const ids = planned.plan.services?.map((_, i) => i + 1);
      for (const plan of [planned.plan, { ...planned.plan, snapshotId: 9 }, { ...planned.plan, snapshotId: 9, after: { ts: new Date().toISOString(), id: 3 } }]) {
        const shape = pageShape(plan);
        texts.set(shape, (texts.get(shape) ?? new Set()).add(pageStatement(plan, ids).sql));
      }
    }
    // asc and desc, each as a first page, a later page and a later page past a position.
    expect(texts.size).toBe(6);
    for (const [shape, set] of texts) expect(set.size, shape).toBe(1);
  });

  it("is planned for its own values on every execution, never with a generic plan", async () => {
    // One connection, so the prepared statement is the same one each time; more than the
    // five executions after which PostgreSQL may switch a statement to a generic plan.
    const viewer = await h.caller({ role: "admin" });
    const [user] = await h.sql<{ id: number }[]>`SELECT id FROM users WHERE name = ${viewer.user!}`;
    const actor: Actor = { kind: "user", userId: user!.id, name: viewer.user!, role: "admin", keyPrefix: "test" };
    const planned = planLogsQuery(LogsQuery.parse({ service: a, from: "now-2h" }), new Date());
    if (!planned.ok) throw new Error("should plan");
    const counts = await asActor(h.appPool, actor, async ({ sql }) => {
      const planCounts = () => sql<{ generic: number; custom: number }[]>`
        SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE statement = ${pageStatement(planned.plan, [1]).sql}`;
      const [before] = await planCounts();
      const ids = [...(await h.serviceIds.find(sql, planned.plan.services!)).values()];
      for (let i = 0; i < 8; i++) expect((await sendLogsPage(sql, planned.plan, ids)).count).toBe(20);
      const [after] = await planCounts();
      return { generic: after!.generic - (before?.generic ?? 0), custom: after!.custom - (before?.custom ?? 0) };
    });
    expect(counts).toEqual({ generic: 0, custom: 8 });
  });

  it("leaves a filter the page does not have out of its plan", async () => {
    const planned = planLogsQuery(LogsQuery.parse({ level: "warn", from: "now-2h" }), new Date());
    if (!planned.ok) throw new Error("should plan");
    const query = pageStatement(planned.plan, undefined);
    const text = (await h.sql.unsafe(`EXPLAIN (VERBOSE) ${query.sql}`, query.params as never[])).map((r) => r["QUERY PLAN"]).join("\n");
    const conditions = text.split("\n").filter((line) => /Filter:|Index Cond:/.test(line)).join("\n");
    expect(conditions).toMatch(/level >= 'warn'::severity/);
    expect(conditions).toMatch(/ts >= '/);
    // No filter left to test at run time, and no trace of the ones it does not have.
    expect(conditions).not.toMatch(/IS NULL\)? OR|trace_id|error_code|http_status|message/);
  });

  it("compares one service or one error code with =, which an index reads in order, and several with = ANY", async () => {
    const [service] = await h.sql<{ id: number }[]>`SELECT id FROM services WHERE name = ${a}`;
    const conditionsOf = async (params: Record<string, string>, ids: number[]) => {
      const planned = planLogsQuery(LogsQuery.parse(params), new Date());
      if (!planned.ok) throw new Error("should plan");
      const query = pageStatement(planned.plan, ids);
      const text = (await h.sql.unsafe(`EXPLAIN ${query.sql}`, query.params as never[])).map((r) => r["QUERY PLAN"]).join("\n");
      return text.split("\n").filter((line) => /Filter:|Index Cond:/.test(line)).join("\n");
    };
    const one = await conditionsOf({ service: a, error_code: "E_TIMEOUT" }, [service!.id]);
    expect(one).toMatch(new RegExp(`service_id = ${service!.id}\\b`));
    expect(one).toMatch(/error_code = 'E_TIMEOUT'/);
    expect(one).not.toMatch(/(service_id|error_code) = ANY \('\{/);
    const several = await conditionsOf({ service: `${a},${b}`, error_code: "E_TIMEOUT,E_CONN" }, [service!.id, service!.id + 1]);
    expect(several).toMatch(/service_id = ANY \('\{/);
    expect(several).toMatch(/error_code = ANY \('\{/);
  });
});

describe("partition pruning", () => {
  it("reads only the partitions the time range covers", async () => {
    const now = new Date();
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    const monthAfter = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1));
    const planned = planLogsQuery(LogsQuery.parse({ from: nextMonth.toISOString(), to: monthAfter.toISOString(), level: "warn" }), now);
    if (!planned.ok) throw new Error("should plan");
    const query = pageStatement({ ...planned.plan, snapshotId: Number.MAX_SAFE_INTEGER }, undefined);
    const plan = await h.sql.unsafe(`EXPLAIN ${query.sql}`, query.params as never[]);
    const text = plan.map((r) => r["QUERY PLAN"]).join("\n");
    const scanned = [...new Set(text.match(/log_events_(p\d{4}_\d{2}|default)/g))];
    const name = `log_events_p${nextMonth.getUTCFullYear()}_${String(nextMonth.getUTCMonth() + 1).padStart(2, "0")}`;
    expect(scanned).toEqual([name]);
  });

  it("keeps pruning on later pages, where the cursor bounds the range", async () => {
    const now = new Date();
    const thisMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const planned = planLogsQuery(LogsQuery.parse({ order: "desc" }), now);
    if (!planned.ok) throw new Error("should plan");
    const after = { ts: new Date(thisMonth.getTime() + 3_600_000).toISOString().replace("Z", "000Z"), id: 1 };
    const query = pageStatement({ ...planned.plan, after, snapshotId: 1 }, undefined);
    const text = (await h.sql.unsafe(`EXPLAIN ${query.sql}`, query.params as never[])).map((r) => r["QUERY PLAN"]).join("\n");
    const scanned = new Set(text.match(/log_events_(p\d{4}_\d{2}|default)/g));
    // The month after this one, across a year end too (December's next is January).
    const later = partitionName("log_events", addMonths(thisMonth, 1));
    expect(later).toMatch(/^log_events_p\d{4}_(0[1-9]|1[0-2])$/);
    expect(scanned.has(later)).toBe(false);
  });
});

describe("a one-service first page", () => {

  it("reads no more rows than it returns right after a burst the statistics have not seen", async () => {
    // As on a loaded server: a service's month of traffic, whose statistics expect a few
    // dozen of its rows in any hour, then a burst they have not seen (autovacuum analyzes
    // a large partition only now and then). Planned by those estimates, a page read every
    // row of the last hour from the month's partition and sorted them (#15).
    const burst = unique("burst");
    const team = unique("burst-team");
    const ingest = await h.caller({ ingest: [burst] });
    const now = Date.now();
    const spread = Array.from({ length: 20_000 }, (_, i) => ({ service: burst, timestamp: new Date(now - 3_600_000 - i * 100_000).toISOString(), level: "info" }));
    for (let i = 0; i < spread.length; i += 5_000) expect((await ingest.postJson("/v1/logs", spread.slice(i, i + 5_000))).status).toBe(200);
    await h.sql`INSERT INTO teams (name) VALUES (${team})`;
    await h.sql`UPDATE services SET owner_team = ${team} WHERE name = ${burst}`;
    await h.sql`ANALYZE log_events`;
    const events = Array.from({ length: 3_000 }, (_, k) => ({ service: burst, timestamp: new Date(now - 600_000 + k * 100).toISOString(), level: k % 25 ? "info" : "error" }));
    expect((await ingest.postJson("/v1/logs", events)).status).toBe(200);
    const viewer = await h.caller({ role: "viewer", teams: [team] });
    const [user] = await h.sql<{ id: number }[]>`SELECT id FROM users WHERE name = ${viewer.user!}`;
    const actor: Actor = { kind: "user", userId: user!.id, name: viewer.user!, role: "viewer", keyPrefix: "test" };
    const [service] = await h.sql<{ id: number }[]>`SELECT id FROM services WHERE name = ${burst}`;
    for (const params of [{ service: burst, from: "now-1h" }, { service: burst, from: "now-1h", level: "error" }, { service: burst, from: "now-2h", q: "x" }]) {
      const planned = planLogsQuery(LogsQuery.parse(params), new Date());
      if (!planned.ok) throw new Error("should plan");
      const query = pageStatement(planned.plan, [service!.id]);
      const [row] = await asActor(h.appPool, actor, ({ sql }) => {
        planLikeAPage(sql, planned.plan);
        return sql.unsafe(`EXPLAIN (ANALYZE, FORMAT JSON) ${query.sql}`, query.params as never[]);
      });
      // The page is the LIMIT and what it reads; above it, PostgreSQL 16 and later may sort
      // the page's few rows for the aggregates that join them (logs/repository.ts).
      const plan = planNodes(planNodes((row!["QUERY PLAN"] as { Plan: PlanNode }[])[0]!.Plan).find((n) => n["Node Type"] === "Limit")!);
      expect(plan.filter((n) => n["Node Type"] === "Sort").length, JSON.stringify(params)).toBe(0);
      const read = plan.filter((n) => n["Relation Name"]?.startsWith("log_events")).reduce((sum, n) => sum + n["Actual Rows"]! * n["Actual Loops"]!, 0);
      // A page and the row after it, and the merge's look at each month's next row; with the
      // error filter (one row in 25) the walk reads until 101 match, with the text filter
      // (no match) the two hours.
      expect(read, JSON.stringify(params)).toBeLessThanOrEqual(params.level ? 2_600 : params.q ? 0 : planned.plan.limit + 10);
    }
  });
});

describe("GET /logs as a viewer: filters, pages and snapshots under row-level security", () => {
  // The same world, owned by the viewer's team, beside a twin service of another team with
  // rows at the same instants that would match every filter.
  const team = unique("team-logs");
  const twin = unique("twin");
  let viewer: Caller;
  beforeAll(async () => {
    await h.sql`INSERT INTO teams (name) VALUES (${team}), (${team + "-other"})`;
    await h.sql`UPDATE services SET owner_team = ${team} WHERE name IN (${a}, ${b})`;
    await h.sql`INSERT INTO services (name, owner_team) VALUES (${twin}, ${team + "-other"})`;
    expect((await h.postJson("/v1/logs", world.map((e) => ({ ...e, service: twin })))).status).toBe(200);
    viewer = await h.caller({ role: "viewer", teams: [team] });
  });

  it("pages through exactly its team's rows in both orders, naming the other team's service or not", async () => {
    for (const order of ["desc", "asc"]) {
      for (const filter of [`service=${a},${b},${twin}`, `from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(40))}`]) {
        const items = await allPages(`${filter}&order=${order}`, 7, viewer);
        expect(items.every((i) => i.service !== twin)).toBe(true);
        expect(items.map(indexOf)).toEqual(order === "desc" ? [...Array(40).keys()].reverse() : [...Array(40).keys()]);
      }
    }
  });

  it("filters as the admin does, minus what it may not see", async () => {
    for (const q of ["level=error", "status=5xx", "error_code=E_TIMEOUT,E_CONN", "q=timeout", "trace_id=trace-13"]) {
      const mine = await allPages(`${q}&from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(40))}`, 100, viewer);
      const all = await allPages(`${q}&from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(40))}`, 100);
      expect(mine.length, q).toBeGreaterThan(0);
      expect(mine.map((i) => i.id), q).toEqual(all.filter((i) => i.service === a || i.service === b).map((i) => i.id));
    }
  });

  it("keeps its snapshot: rows that arrive while it pages are not on later pages", async () => {
    const first = await page(`service=${a}&limit=5&order=asc`, viewer);
    expect((await h.postJson("/v1/logs", [{ service: a, timestamp: at(39.5), message: "arrived later 99" }])).status).toBe(200);
    const seen = [...first.items];
    for (let cursor = first.next_cursor; cursor; ) {
      const next: Page = await page(`service=${a}&limit=5&order=asc&cursor=${encodeURIComponent(cursor)}`, viewer);
      seen.push(...next.items);
      cursor = next.next_cursor;
    }
    expect(seen.map(indexOf)).toEqual(expect.arrayContaining([...Array(40).keys()].filter((i) => i % 2 === 0)));
    expect(seen.some((i) => i.message === "arrived later 99")).toBe(false);
    expect((await page(`service=${a}&limit=100&order=asc`, viewer)).items.some((i) => i.message === "arrived later 99")).toBe(true);
  });
});

describe("GET /logs items", () => {
  it("show every field of the event as it was stored, with its types", async () => {
    const service = unique("shape");
    const sent = {
      service,
      timestamp: "2026-11-20T10:15:00.123Z",
      level: "error",
      message: 'quote " backslash \\ newline \n tab \t ünïcödé 🚀 \u0001',
      method: "post",
      route: "/orders/:id/pay",
      status: 503,
      error_code: "E_TIMEOUT",
      latency_ms: 1e-7,
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      span_id: "00f067aa0ba902b7",
      attributes: { region: "eu-west-1", n: 12.5, nested: [null, true, { k: "v" }], big: 12345678901234 },
    };
    const before = Date.now();
    expect((await h.postJson("/v1/logs", [sent, { service }])).status).toBe(200);
    const { items } = await page(`service=${service}&from=2026-11-01T00:00:00Z&order=asc`);
    const [full, bare] = items as unknown as Record<string, unknown>[];
    expect(full).toEqual({
      id: expect.any(Number),
      ts: "2026-11-20T10:15:00.123000Z",
      service,
      level: "error",
      message: sent.message,
      method: "POST",
      route: sent.route,
      status: 503,
      error_code: "E_TIMEOUT",
      latency_ms: 1e-7,
      trace_id: sent.trace_id,
      span_id: sent.span_id,
      attributes: sent.attributes,
      received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(Date.parse(full!.received_at as string)).toBeGreaterThanOrEqual(before - 1_000);
    expect(bare).toMatchObject({ service, level: "info", message: null, method: null, status: null, latency_ms: null, attributes: null });
  });
});
