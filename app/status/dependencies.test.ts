import { beforeAll, describe, expect, it } from "vitest";
import { asActor } from "../db/scoped.ts";
import { SYSTEM } from "../domain/actor.ts";
import { testHarness, unique } from "../test-support/harness.ts";
import { planNodes, type PlanNode } from "../test-support/query-plan.ts";
import { inferDependencies, inferenceStatement } from "./dependencies-repository.ts";
import { startStatusTracker } from "./tracker.ts";

// The issue's scenario through the real app: A → B → DB declared by their teams, C → DB
// inferred from traces C and DB logged; DB fails. Every dependent is impacted with DB as the
// root cause, in /status, in the recorded transitions and in the metrics alerts join on.

const h = testHarness();
const [a, b, c, db, loner] = ["svc-a", "svc-b", "svc-c", "svc-db", "svc-loner"].map(unique) as [string, string, string, string, string];
const trace = unique("trace").replace(/-/g, "");

beforeAll(async () => {
  expect((await h.postJson("/services", { name: db })).status).toBe(201);
  expect((await h.postJson("/services", { name: b, depends_on: [db] })).status).toBe(201);
  expect((await h.postJson("/services", { name: a, depends_on: [b] })).status).toBe(201);
  const now = Date.now();
  const at = (msAgo: number) => new Date(now - msAgo).toISOString();
  const events = [
    // C calls DB within one trace: DB's span names C's as its parent.
    { service: c, timestamp: at(3000), status: 200, trace_id: trace, span_id: "c0000001", message: "GET /orders" },
    { service: db, timestamp: at(2900), level: "info", trace_id: trace, span_id: "d0000001", attributes: { parent_span_id: "c0000001" }, message: "SELECT orders" },
    // DB then fails: 9 of its 11 events are errors.
    ...Array.from({ length: 10 }, (_, i) => ({ service: db, timestamp: at(2000 - i), status: i ? 503 : 200, message: "query" })),
    ...[a, b, loner].map((service) => ({ service, timestamp: at(1000), status: 200, message: "fine" })),
  ];
  expect((await h.postJson("/v1/logs", events)).status).toBe(200);
  const seen = await asActor(h.sql, SYSTEM, ({ sql }) => inferDependencies(sql, new Date(now - 60_000), new Date(now + 1000)));
  expect(seen).toBe(1);
});

type Status = { service: string; state: string; reason: string; impacted_by: string[] };

describe("dependency inference", () => {
  it("finds the children by arrival, however late their timestamps, through the index of events that name a parent", async () => {
    const [caller, callee] = [unique("svc-caller"), unique("svc-callee")];
    for (const name of [caller, callee]) expect((await h.postJson("/services", { name })).status).toBe(201);
    const lateTrace = unique("trace").replace(/-/g, "");
    const stamped = Date.now() - 3 * 3_600_000;
    const sent = Date.now();
    const late = [
      { service: caller, timestamp: new Date(stamped).toISOString(), trace_id: lateTrace, span_id: "a0000001", message: "GET /late" },
      { service: callee, timestamp: new Date(stamped + 100).toISOString(), trace_id: lateTrace, span_id: "b0000001", attributes: { parent_span_id: "a0000001" }, message: "late child" },
    ];
    expect((await h.postJson("/v1/logs", late)).status).toBe(200);
    const infer = (from: number, to: number) => asActor(h.sql, SYSTEM, ({ sql }) => inferDependencies(sql, new Date(from), new Date(to)));
    const dependents = async () => ((await (await h.get(`/services/${callee}/dependencies`)).json()) as { dependents: { service: string; inferred: boolean }[] }).dependents;
    // A run over minutes before they arrived finds nothing; the run after they did finds
    // the edge, though its events are stamped three hours before either run.
    await infer(sent - 10 * 60_000, sent - 5 * 60_000);
    expect(await dependents()).toEqual([]);
    await infer(sent - 60_000, Date.now() + 1000);
    expect(await dependents()).toEqual([expect.objectContaining({ service: caller, inferred: true })]);

    // As the job plans it, each child's parent is looked up by trace (no hash or merge join
    // for the rest of its transaction), and the children are read through
    // log_events_parent_span_idx, not through the events around them that name no parent:
    // here a few thousand traced ones, analyzed so that the planner knows of them. An index
    // the WHERE clause does not let it use shows as another.
    const traced = Array.from({ length: 2_000 }, (_, i) => ({ service: caller, trace_id: `${lateTrace}${i}`, span_id: "c0000001", message: "traced" }));
    expect((await h.postJson("/v1/logs", traced)).status).toBe(200);
    await h.sql`ANALYZE log_events`;
    const { plan, joins } = await asActor(h.sql, SYSTEM, async ({ sql }) => {
      const [from, to] = [new Date(sent - 60_000), new Date()];
      await inferDependencies(sql, from, to);
      const [row] = await sql<{ "QUERY PLAN": [{ Plan: PlanNode }] }[]>`EXPLAIN (FORMAT JSON) ${inferenceStatement(sql, from, to)}`;
      const [settings] = await sql<{ hash: string; merge: string }[]>`SELECT current_setting('enable_hashjoin') AS hash, current_setting('enable_mergejoin') AS merge`;
      return { plan: row!["QUERY PLAN"][0].Plan, joins: settings };
    });
    expect(joins).toEqual({ hash: "off", merge: "off" });
    const [{ partition }] = await h.sql<[{ partition: string }]>`SELECT tableoid::regclass::text AS partition FROM log_events WHERE trace_id = ${`${lateTrace}0`}`;
    const [{ index }] = await h.sql<[{ index: string }]>`
      SELECT i.inhrelid::regclass::text AS index FROM pg_inherits i JOIN pg_index x ON x.indexrelid = i.inhrelid
      WHERE i.inhparent = 'log_events_parent_span_idx'::regclass AND x.indrelid = ${partition}::regclass`;
    const childScan = planNodes(plan).find((n) => n["Relation Name"] === partition && !n.Alias?.startsWith("p"));
    expect(childScan && { type: childScan["Node Type"], index: childScan["Index Name"] }).toEqual({ type: "Index Scan", index });
    expect(planNodes(plan).map((n) => n["Node Type"])).not.toContain("Hash Join");
  });
});

describe("service-to-service dependencies", () => {
  it("lists declared and inferred edges, each marked, both ways", async () => {
    const ofDb = await (await h.get(`/services/${db}/dependencies`)).json();
    expect(ofDb).toEqual({
      service: db,
      depends_on: [],
      dependents: [
        { service: b, declared: true, inferred: false, inferred_at: null },
        { service: c, declared: false, inferred: true, inferred_at: expect.any(String) },
      ].sort((x, y) => x.service.localeCompare(y.service)),
    });
    expect(((await (await h.get(`/services/${c}/dependencies`)).json()) as { depends_on: unknown[] }).depends_on).toEqual([{ service: db, declared: false, inferred: true, inferred_at: expect.any(String) }]);
    expect(((await (await h.get(`/services/${a}`)).json()) as { depends_on: string[] }).depends_on).toEqual([b]);
  });

  it("makes every dependent of a down service impacted, naming it as the root cause", async () => {
    const all = ((await (await h.get("/status")).json()) as { services: Status[] }).services;
    const of = (name: string) => all.find((s) => s.service === name)!;
    expect(of(db)).toMatchObject({ state: "down", impacted_by: [] });
    for (const name of [a, b, c]) {
      expect(of(name), name).toMatchObject({ state: "impacted", impacted_by: [db], reason: expect.stringMatching(new RegExp(`^depends on ${db}, which is down: error rate 81\\.8% ≥ 50\\.0%$`)) });
    }
    expect(of(loner)).toMatchObject({ state: "up", impacted_by: [] });
    // One service asked for alone: its dependencies are evaluated with it.
    expect(await (await h.get(`/status/${a}`)).json()).toMatchObject({ state: "impacted", impacted_by: [db] });
  });

  it("records impacted transitions and labels every service with its root cause for alerts", async () => {
    const tracker = startStatusTracker(h.sql, 3_600_000);
    await tracker.stop();
    const recorded = await h.sql<{ name: string; to_state: string; reason: string }[]>`
      SELECT s.name, e.to_state, e.reason FROM status_events e JOIN services s ON s.id = e.service_id WHERE s.name = ANY(${[a, b, c, db]}) ORDER BY s.name`;
    expect(Object.fromEntries(recorded.map((r) => [r.name, r.to_state]))).toEqual({ [a]: "impacted", [b]: "impacted", [c]: "impacted", [db]: "down" });
    const metrics = await (await h.get("/metrics")).text();
    for (const name of [a, b, c]) expect(metrics).toContain(`failsight_service_root_cause{service="${name}",root_cause="${db}"} 1`);
    expect(metrics).toContain(`failsight_service_root_cause{service="${db}",root_cause="${db}"} 1`);
    expect(metrics).toContain(`failsight_service_state{service="${a}",state="impacted"} 1`);
  });

  it("shows a caller only edges between services it may see, and judges impact by those", async () => {
    const team = unique("team-dep");
    await h.sql`INSERT INTO teams (name) VALUES (${team})`;
    await h.sql`UPDATE services SET owner_team = ${team} WHERE name = ANY(${[a, b]})`;
    const viewer = await h.caller({ role: "viewer", teams: [team] });
    expect(await (await viewer.get(`/services/${b}/dependencies`)).json()).toEqual({ service: b, depends_on: [], dependents: [{ service: a, declared: true, inferred: false, inferred_at: null }] });
    // Nor is the edge there for it in the table itself (row-level security, not only the joins).
    const [user] = await h.sql<{ id: number }[]>`SELECT id FROM users WHERE name = ${viewer.user!}`;
    const hidden = await asActor(h.appPool, { kind: "user", userId: user!.id, name: viewer.user!, role: "viewer", keyPrefix: "" }, ({ sql }) =>
      sql<{ n: number }[]>`SELECT count(*)::int AS n FROM service_dependencies WHERE depends_on_id NOT IN (SELECT id FROM services)`,
    );
    expect(hidden[0]!.n).toBe(0);
    // B's dependency on DB is not the viewer's to see, so neither is the impact.
    const mine = ((await (await viewer.get("/status")).json()) as { services: Status[] }).services.map((s) => [s.service, s.state]);
    expect(mine).toEqual([[a, "up"], [b, "up"]].sort());
    await h.sql`UPDATE services SET owner_team = NULL WHERE name = ANY(${[a, b]})`;
  });

  it("refuses a dependency on an unknown service or on itself with a 400 naming depends_on, and replaces the declared list", async () => {
    for (const depends_on of [[unique("none")], [a]]) {
      const res = await h.patchJson(`/services/${a}`, { depends_on });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe("depends_on");
    }
    expect(((await (await h.patchJson(`/services/${a}`, { depends_on: [db] })).json()) as { depends_on: string[] }).depends_on).toEqual([db]);
    expect(((await (await h.patchJson(`/services/${a}`, { depends_on: [b] })).json()) as { depends_on: string[] }).depends_on).toEqual([b]);
    // C's inferred edge is not declared: withdrawing declarations never removes it.
    expect(((await (await h.patchJson(`/services/${c}`, { depends_on: [] })).json()) as { depends_on: string[] }).depends_on).toEqual([]);
    expect(((await (await h.get(`/services/${c}/dependencies`)).json()) as { depends_on: { service: string }[] }).depends_on.map((d) => d.service)).toEqual([db]);
  });
});
