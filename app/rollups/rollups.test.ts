import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createTeam } from "../access/repository.ts";
import { createDb } from "../db/client.ts";
import { asActor } from "../db/scoped.ts";
import { IS_ERROR_SQL } from "../domain/error-event.ts";
import type { Actor } from "../domain/actor.ts";
import { SEVERITIES } from "../domain/vocabulary.ts";
import { writeBatch } from "../ingest/batch-writer.ts";
import { toColumns } from "../ingest/event-columns.ts";
import { ServiceIds } from "../services/service-ids.ts";
import { asRuntime, testHarness, unique } from "../test-support/harness.ts";
import { readWindowStats, type ServiceWindowRow } from "../status/repository.ts";
import { HourHistograms } from "../status/hour-histograms.ts";
import { COMPACTION_ROWS_PER_STATEMENT, compactRollups } from "./compact.ts";
import { COMPACT_AFTER_ROWS, startRollupCompactor } from "./compactor.ts";
import { bucketOfLatency, latencyOfBucket, LN_BUCKET_RATIO } from "./histogram.ts";
import { ROLLUP_COLUMNS, rollupSql } from "./rollup-sql.ts";
import { planWindow } from "./window-plan.ts";

// Roll-ups on the real migrated schema: written by ingest as an ingest key, read by /status
// as a viewer and an admin under row-level security, compacted as Failsight itself, and
// held to the raw events they summarize.
const now = new Date(Math.floor(Date.now() / 1000) * 1000 - 1_500); // mid-minute, so windows have raw edges
const h = testHarness({ now: () => now });
const team = unique("rollup-team");
const mine = [unique("ours-a"), unique("ours-b")];
const theirs = unique("theirs");
const all = [...mine, theirs];
const WINDOWS = { "30s": 30_000, "5m": 300_000, "1h": 3_600_000, "6h": 21_600_000, "24h": 86_400_000 };

let seed = 11;
const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
const normal = () => Math.sqrt(-2 * Math.log(rand() || 1e-9)) * Math.cos(2 * Math.PI * rand());

beforeAll(async () => {
  await createTeam(h.sql, team);
  const ingest = await h.caller({ ingest: all });
  // 26 hours of events, denser in the last ten minutes, in batches that each touch every
  // service: many partial rows per key, as concurrent shippers make.
  const events = Array.from({ length: 6_000 }, (_, i) => {
    const age = i % 3 === 0 ? rand() * 600_000 : rand() * 26 * 3_600_000;
    const status = [200, 200, 200, 201, 404, 500, 503, undefined][Math.floor(rand() * 8)];
    return {
      service: all[i % all.length]!,
      timestamp: new Date(now.getTime() - age).toISOString(),
      level: SEVERITIES[Math.floor(rand() * SEVERITIES.length)]!,
      ...(status ? { status } : {}),
      ...(rand() < 0.9 ? { latency_ms: Math.exp(3.5 + 1.2 * normal()) } : {}),
    };
  });
  // The window's last instant belongs to it: (now - window, now].
  events.push({ service: mine[0]!, timestamp: now.toISOString(), level: "error", latency_ms: 99_999 });
  for (let i = 0; i < events.length; i += 500) expect((await ingest.postJson("/v1/logs", events.slice(i, i + 500))).status).toBe(200);
  await h.sql`UPDATE services SET owner_team = ${team} WHERE name = ANY(${mine}::text[])`;
});

type Stats = { service: string; requests: number; errors: number; latency_ms: { p50: number | null; p95: number | null; p99: number | null }; last_event_at: string | null };

/** The raw-event answer: exact counts and nearest-rank percentiles over the window as planWindow bounds it. */
async function exact(windowMs: number, end = now) {
  const plan = planWindow(new Date(end.getTime() - windowMs), end);
  // Whole minutes, from the first one's start to the end of the one `end` is in, or (under
  // a minute) exactly (end - window, end].
  const startsAt = plan.from.toISOString();
  const inclusive = windowMs >= 60_000;
  const rows = await h.sql<{ service: string; requests: number; errors: number; p: number[] | null; last_ms: number }[]>`
    SELECT s.name AS service, count(*)::int AS requests, (count(*) FILTER (WHERE ${h.sql.unsafe(IS_ERROR_SQL)}))::int AS errors,
           percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY latency_ms) AS p,
           (extract(epoch FROM max(ts)) * 1000)::float8 AS last_ms
    FROM log_events e JOIN services s ON s.id = e.service_id
    WHERE s.name = ANY(${all}::text[]) AND (ts > ${startsAt} OR (${inclusive} AND ts = ${startsAt}))
      AND (ts < ${plan.m1.toISOString()} OR (NOT ${inclusive} AND ts <= ${end.toISOString()}))
    GROUP BY s.name`;
  return new Map(rows.map((r) => [r.service, r]));
}

async function expectMatchesRawEvents(caller: { get: (p: string) => Promise<Response> }, visible: string[]) {
  for (const [window, ms] of Object.entries(WINDOWS)) {
    const res = await caller.get(`/status?window=${window}`);
    expect(res.status).toBe(200);
    const got = ((await res.json()) as { services: Stats[] }).services.filter((s) => all.includes(s.service));
    expect(got.map((s) => s.service).sort()).toEqual([...visible].sort());
    const truth = await exact(ms);
    for (const s of got) {
      const t = truth.get(s.service);
      expect({ window, service: s.service, requests: s.requests, errors: s.errors }).toEqual({ window, service: s.service, requests: t?.requests ?? 0, errors: t?.errors ?? 0 });
      if (t) expect(s.last_event_at, window).toBe(new Date(t.last_ms).toISOString());
      const p = [s.latency_ms.p50, s.latency_ms.p95, s.latency_ms.p99];
      (t?.p ?? [null, null, null]).forEach((value, i) => {
        if (value === null) expect(p[i]).toBeNull();
        else expect(Math.abs(p[i]! / value - 1), `${window} ${s.service} p${[50, 95, 99][i]}: ${p[i]} vs ${value}`).toBeLessThanOrEqual(0.02);
      });
    }
  }
}

/** readWindowStats for every service, as the admin, against the raw events' answer for the same window. */
async function expectRawAnswers(end: Date, ms: number, label: string): Promise<ServiceWindowRow[]> {
  const admin: Actor = { kind: "user", userId: 0, name: "admin", role: "admin", keyPrefix: "test" };
  const got = await asActor(h.appPool, admin, ({ sql }) => readWindowStats(sql, end, ms, new HourHistograms(), all));
  const truth = await exact(ms, end);
  expect(got.length).toBe(all.length);
  for (const s of got) {
    const t = truth.get(s.service);
    const at = `${label}, ${s.service}`;
    expect({ at, requests: s.requests, errors: s.errors, last: s.lastEventAt?.getTime() }).toEqual({ at, requests: t?.requests ?? 0, errors: t?.errors ?? 0, last: t?.last_ms ?? s.lastEventAt?.getTime() });
    const p = [s.p50, s.p95, s.p99];
    (t?.p ?? [null, null, null]).forEach((value, i) => {
      if (value === null) expect(p[i], at).toBeNull();
      else expect(Math.abs(p[i]! / value - 1), `${at} p${[50, 95, 99][i]}: ${p[i]} vs ${value}`).toBeLessThanOrEqual(0.02);
    });
  }
  return got;
}

/**
 * The service's roll-up rows equal the rows rollupSql makes of its stored events, row by
 * row (latency sums, added in another order, to the last few bits); answers how many.
 */
async function expectRowsOfRollupSql(serviceId: number): Promise<number> {
  const rows = async (select: string) =>
    (await h.sql.unsafe(`SELECT * FROM (${select}) x ORDER BY 2, 1`).values()).map((r) => r.map((v) => (v instanceof Date ? v.toISOString() : v)));
  const stored = await rows(`SELECT ${ROLLUP_COLUMNS.join(", ")} FROM log_rollups WHERE service_id = ${serviceId}`);
  const reference = await rows(rollupSql(`(SELECT * FROM log_events WHERE service_id = ${serviceId})`));
  const sum = ROLLUP_COLUMNS.indexOf("latency_sum");
  const rest = (table: unknown[][]) => table.map((r) => r.filter((_, i) => i !== sum));
  expect(rest(stored)).toEqual(rest(reference));
  stored.forEach((r, i) => expect(Math.abs(Number(r[sum]) - Number(reference[i]![sum]))).toBeLessThanOrEqual(Math.abs(Number(r[sum])) * 1e-12));
  return stored.length;
}

describe("roll-ups", () => {
  it("give /status the raw events' exact counts and percentiles within 2%, for every window, to a viewer its services only", async () => {
    const viewer = await h.caller({ role: "viewer", teams: [team] });
    await expectMatchesRawEvents(viewer, mine);
    await expectMatchesRawEvents(h.admin, all);
    // Whole hours merged for the admin are kept (status/hour-histograms.ts); the viewer still sees only its own.
    await expectMatchesRawEvents(viewer, mine);
  });

  it("give the same answers whichever way an edge hour is read, with events after the window's end", async () => {
    // Windows ending at earlier instants over the same events: each edge hour is read as
    // its minutes or as its hour row less the minutes outside the window, depending on
    // where in its hour the window starts and ends (rollups/window-plan.ts), and every
    // event after the end is, for that window, stamped in the future: its hour row holds
    // it and the window must not.
    const ways = new Set<string>();
    for (const minutesBack of [0, 4, 13, 22, 31, 38, 47, 56, 95, 151]) {
      const end = new Date(now.getTime() - minutesBack * 60_000);
      for (const [window, ms] of Object.entries(WINDOWS)) {
        planWindow(new Date(end.getTime() - ms), end).parts.forEach((p) => ways.add(`${p.granularity}${p.sign}`));
        await expectRawAnswers(end, ms, `${window} ending ${minutesBack} min ago`);
      }
    }
    // Both ways were taken, and the hour less its minutes on both sides of the window.
    expect([...ways].sort()).toEqual(["hour1", "minute-1", "minute1"]);
  });

  it("give a window of whole hours, with no edge hour to read, the raw events' answer", async () => {
    // From an hour's start to the last minute before a later one: only hour rows, and a
    // statement without any part (status/repository.ts).
    const hour = Math.floor(now.getTime() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
    const end = new Date(hour - 30_000);
    const ms = 2 * 3_600_000 - 30_000;
    const plan = planWindow(new Date(end.getTime() - ms), end);
    expect({ parts: plan.parts, whole: plan.h1.getTime() - plan.h0.getTime() }).toEqual({ parts: [], whole: 2 * 3_600_000 });
    // (Every third event is in the last ten minutes: one service has none this far back.)
    expect((await expectRawAnswers(end, ms, "two whole hours")).filter((s) => s.requests > 0)).toHaveLength(2);
  });

  it("value their buckets in JavaScript as failsight_latency_value does", async () => {
    // From the zero bucket through 1e-300 ms to 1e300 ms (buckets ±17,000; beyond them the SQL overflows a float8).
    const buckets = [-32768, -17000, -400, -1, 0, 1, 2, 87, 155, 400, 17000];
    const rows = await h.sql<{ b: number; v: number }[]>`SELECT b, failsight_latency_value(b::smallint) AS v FROM unnest(${buckets}::int[]) b`;
    // The SQL computes in numeric, JavaScript in float8: equal far inside the buckets' 2%.
    for (const { b, v } of rows) expect(v === 0 ? latencyOfBucket(b) : Math.abs(latencyOfBucket(b) / v - 1), `bucket ${b}`).toBeLessThan(1e-9);
  });

  it("bucket latencies in JavaScript as failsight_latency_bucket does, at the buckets' edges too", async () => {
    const edges = Array.from({ length: 1_201 }, (_, i) => Math.exp((i - 400) * LN_BUCKET_RATIO));
    const latencies = [
      0, 5e-324, 1e-9, 0.001, 1, 86_400_000,
      ...edges.flatMap((v) => [v * (1 - 1e-15), v, v * (1 + 1e-15)]),
      ...Array.from({ length: 2_000 }, () => Math.exp(-14 + 33 * rand())),
    ];
    const rows = await h.sql<{ ms: number; bucket: number }[]>`SELECT ms, failsight_latency_bucket(ms)::int AS bucket FROM unnest(${latencies}::float8[]) ms`;
    // Math.log and the C library's log may differ in the last bit, so a latency within
    // rounding of an edge may fall either side (its bucket still stands for it within 2%);
    // nowhere else may they differ.
    const onEdge = (ms: number) => Math.abs(Math.log(ms) / LN_BUCKET_RATIO - Math.round(Math.log(ms) / LN_BUCKET_RATIO)) < 1e-9;
    const differing = rows.filter((r) => bucketOfLatency(r.ms) !== r.bucket && !(onEdge(r.ms) && Math.abs(bucketOfLatency(r.ms) - r.bucket) === 1));
    expect(differing.map((r) => `${r.ms}: ${bucketOfLatency(r.ms)} here, ${r.bucket} in SQL`)).toEqual([]);
    expect(rows.filter((r) => bucketOfLatency(r.ms) !== r.bucket).length).toBeLessThan(latencies.length / 100);
  });

  it("are rolled up by ingest as rollupSql rolls up the events it stored", async () => {
    const service = unique("rolled-up");
    const actor: Actor = { kind: "ingest", name: "rolling", keyPrefix: "test", services: [service] };
    // Three hours of minutes; every level, status class and edge of the latency field.
    const statuses = [100, 199, 200, 201, 302, 404, 499, 500, 503, 599, undefined];
    const latencies = [0, 0.001, 1, 12.5, 86_400_000, undefined, Math.exp(7 * LN_BUCKET_RATIO)];
    const events = Array.from({ length: 1_500 }, (_, i) => ({
      service,
      timestamp: new Date(now.getTime() - Math.floor(rand() * 3 * 3_600_000)),
      level: SEVERITIES[i % SEVERITIES.length]!,
      ...(statuses[i % statuses.length] ? { status: statuses[i % statuses.length] } : {}),
      ...(i % 5 ? { latency_ms: latencies[i % latencies.length] } : { latency_ms: Math.exp(3.5 + 1.2 * normal()) }),
    }));
    await asActor(h.appPool, actor, (scoped) => writeBatch(scoped, new ServiceIds(), toColumns(events)));
    const id = (await h.sql<{ id: number }[]>`SELECT id FROM services WHERE name = ${service}`)[0]!.id;
    expect(await expectRowsOfRollupSql(id)).toBeGreaterThan(150);
  });

  it("give /status a window statement planned once per connection, not on every call", async () => {
    const { sql } = createDb(asRuntime(inject("databaseUrl")), { max: 1 });
    try {
      const admin: Actor = { kind: "user", userId: 0, name: "admin", role: "admin", keyPrefix: "test" };
      for (let i = 0; i < 7; i++) await asActor(sql, admin, ({ sql }) => readWindowStats(sql, now, WINDOWS["24h"], new HourHistograms()));
      const [plans] = await sql<{ generic: number; custom: number }[]>`
        SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements
        WHERE statement LIKE '%hour_hist AS%' AND statement NOT LIKE '%pg_prepared_statements%'`; // not this query, which names it too
      expect(plans).toEqual({ generic: 7, custom: 0 });
    } finally {
      await sql.end();
    }
  });

  it("give /status events that arrive late for an hour already merged and kept", async () => {
    const late = unique("late");
    const statusOf = async () =>
      ((await (await h.get(`/status/${late}?window=24h`)).json()) as Stats & { latency_ms: { p95: number } });
    const at = (hoursAgo: number, i: number) => new Date(now.getTime() - hoursAgo * 3_600_000 - i * 1000).toISOString();
    expect((await h.postJson("/v1/logs", Array.from({ length: 200 }, (_, i) => ({ service: late, timestamp: at(2 + (i % 18), i), latency_ms: 10 })))).status).toBe(200);
    const before = await statusOf();
    expect(before).toMatchObject({ requests: 200 });
    expect(Math.abs(before.latency_ms.p95 / 10 - 1)).toBeLessThanOrEqual(0.02);
    // A shipper catching up: 100 slow events five hours back, into an hour /status has merged.
    expect((await h.postJson("/v1/logs", Array.from({ length: 100 }, (_, i) => ({ service: late, timestamp: at(5, i % 60), latency_ms: 100_000 })))).status).toBe(200);
    const after = await statusOf();
    expect(after).toMatchObject({ requests: 300 });
    expect(Math.abs(after.latency_ms.p95 / 100_000 - 1)).toBeLessThanOrEqual(0.02);
  });

  it("compaction merges each key's partial rows into one and changes no answer", async () => {
    const partial = async () =>
      (await h.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM log_rollups r JOIN services s ON s.id = r.service_id WHERE s.name = ANY(${all}::text[]) AND NOT compacted`)[0]!.n;
    expect(await partial()).toBeGreaterThan(0);
    await compactRollups(h.sql);
    expect(await partial()).toBe(0);
    const [dup] = await h.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM (SELECT 1 FROM log_rollups r JOIN services s ON s.id = r.service_id
      WHERE s.name = ANY(${all}::text[]) GROUP BY r.service_id, r.bucket_seconds, r.ts HAVING count(*) > 1) d`;
    expect(dup!.n).toBe(0);
    await expectMatchesRawEvents(h.admin, all);
  });

  it("compacts thousands of keys in one statement, each deleted row summed once", async () => {
    // A merge that joined per-key sums with per-key histograms was planned, on the bench's
    // loaded table, as a nested loop over a CTE estimated at one row, re-running the
    // histogram aggregate for every deleted row: 10 s for 1,000 keys, past the API's
    // statement timeout (bench/ingest-and-query.ts showed it; this small database plans the
    // old statement well, so it cannot). Held here: a large compaction within 5 s, every
    // event summed once.
    const service = unique("many-keys");
    const ingest = await h.caller({ ingest: [service] });
    // 1,500 minutes with 20 different latencies each: 20 histogram cells per row.
    const events = Array.from({ length: 30_000 }, (_, i) => ({ service, timestamp: new Date(now.getTime() - 120_000 - Math.floor(i / 20) * 60_000).toISOString(), latency_ms: 1 + (i % 20) * 10 }));
    for (let i = 0; i < events.length; i += 5_000) expect((await ingest.postJson("/v1/logs", events.slice(i, i + 5_000))).status).toBe(200);
    const bounded = createDb(inject("databaseUrl"), { max: 1, timeouts: { statementMs: 5_000 } }).sql;
    try {
      expect((await compactRollups(bounded)).keys).toBeGreaterThanOrEqual(1_500);
    } finally {
      await bounded.end();
    }
    const [row] = await h.sql<{ events: number; latency: number }[]>`
      SELECT sum(events)::int AS events, sum(latency_count)::int AS latency FROM log_rollups r JOIN services s ON s.id = r.service_id
      WHERE s.name = ${service} AND bucket_seconds = 60`;
    expect(row).toEqual({ events: 30_000, latency: 30_000 });
  });

  it("merge a backlog larger than a statement in statements of bounded size, until none is left", async () => {
    // As ingest leaves it while no replica compacts: many partial rows on few keys. Bounded
    // by keys, one statement took all of such a backlog, ran past the statement timeout,
    // rolled back, and so did every run after it.
    const service = unique("backlog");
    const ingest = await h.caller({ ingest: [service] });
    expect((await ingest.postJson("/v1/logs", [{ service, timestamp: new Date(now.getTime() - 7_200_000).toISOString(), latency_ms: 5 }])).status).toBe(200);
    const id = (await h.sql<{ id: number }[]>`SELECT id FROM services WHERE name = ${service}`)[0]!.id;
    const [keys, perKey] = [30, 1_000];
    await h.sql`
      INSERT INTO log_rollups (ts, bucket_seconds, service_id, events, errors, latency_count, latency_sum, latency_buckets, latency_counts, last_ts)
      SELECT date_trunc('minute', ${now.toISOString()}::timestamptz) - interval '2 hours' - k * interval '1 minute', 60, ${id}, 1, 0, 1, 5, '{41}', '{1}',
             date_trunc('minute', ${now.toISOString()}::timestamptz) - interval '2 hours' - k * interval '1 minute'
      FROM generate_series(1, ${keys}) k, generate_series(1, ${perKey}) r`;
    const partial = async () => (await h.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM log_rollups WHERE service_id = ${id} AND NOT compacted`)[0]!.n;
    // One statement (another file's compaction may hold the lock a moment).
    let first = { keys: 0, partialRows: 0 };
    for (let i = 0; i < 100 && !first.partialRows; i++) first = await compactRollups(h.sql, 1);
    expect(first.partialRows).toBeGreaterThanOrEqual(COMPACTION_ROWS_PER_STATEMENT);
    // What it took, and the rest of the last key it took rows of.
    expect(first.partialRows).toBeLessThan(COMPACTION_ROWS_PER_STATEMENT + perKey);
    for (let i = 0; i < 100 && (await partial()) > 0; i++) await compactRollups(h.sql);
    expect(await partial()).toBe(0);
    const [row] = await h.sql<{ events: number; keys: number }[]>`
      SELECT sum(events)::int AS events, count(*)::int AS keys FROM log_rollups WHERE service_id = ${id} AND bucket_seconds = 60`;
    expect(row).toEqual({ events: keys * perKey + 1, keys: keys + 1 });
  });

  it("are compacted into the rows rollupSql makes of the events, one per key", async () => {
    const service = unique("compacted");
    const actor: Actor = { kind: "ingest", name: "compacting", keyPrefix: "test", services: [service] };
    // Twelve batches over the same two hours: every key gets partial rows from several.
    const latencies = [0, 0.001, 1, 12.5, 86_400_000, undefined, Math.exp(7 * LN_BUCKET_RATIO)];
    for (let b = 0; b < 12; b++) {
      const events = Array.from({ length: 150 }, (_, i) => ({
        service,
        timestamp: new Date(now.getTime() - Math.floor(rand() * 2 * 3_600_000)),
        level: SEVERITIES[(b + i) % SEVERITIES.length]!,
        ...(i % 4 ? { status: [200, 404, 503][i % 3] } : {}),
        ...(i % 5 ? { latency_ms: latencies[i % latencies.length] } : { latency_ms: Math.exp(3.5 + 1.2 * normal()) }),
      }));
      await asActor(h.appPool, actor, (scoped) => writeBatch(scoped, new ServiceIds(), toColumns(events)));
    }
    const id = (await h.sql<{ id: number }[]>`SELECT id FROM services WHERE name = ${service}`)[0]!.id;
    const counted = async () => (await h.sql<{ rows: number; keys: number }[]>`
      SELECT count(*)::int AS rows, count(DISTINCT (bucket_seconds, ts))::int AS keys FROM log_rollups WHERE service_id = ${id}`)[0]!;
    const before = await counted();
    expect(before.rows).toBeGreaterThan(2 * before.keys);
    // Another file's compaction may hold the lock a moment.
    for (let i = 0; i < 100 && (await counted()).rows > before.keys; i++) await compactRollups(h.sql);
    expect(await counted()).toEqual({ rows: before.keys, keys: before.keys });
    await expectRowsOfRollupSql(id);
    const [flags] = await h.sql<{ compacted: boolean[] }[]>`SELECT array_agg(DISTINCT compacted) AS compacted FROM log_rollups WHERE service_id = ${id}`;
    expect(flags!.compacted).toEqual([true]);
  });

  it("are compacted as soon as ingest has appended enough partial rows, not only on the timer", async () => {
    const compactor = startRollupCompactor(h.sql, 3_600_000); // its first run is now; the next an hour away
    await new Promise((r) => setTimeout(r, 500));
    const service = unique("kicked");
    const ingest = await h.caller({ ingest: [service] });
    expect((await ingest.postJson("/v1/logs", [{ service, timestamp: new Date(now.getTime() - 90_000).toISOString(), latency_ms: 3 }])).status).toBe(200);
    const partial = async () =>
      (await h.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM log_rollups r JOIN services s ON s.id = r.service_id WHERE s.name = ${service} AND NOT compacted`)[0]!.n;
    expect(await partial()).toBeGreaterThan(0);
    compactor.written(COMPACT_AFTER_ROWS);
    for (let i = 0; i < 50 && (await partial()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await partial()).toBe(0);
    await compactor.stop();
  });

  it("are readable only as the events are: a viewer's direct read of log_rollups shows its team's services", async () => {
    const viewer = await h.caller({ role: "viewer", teams: [team] });
    const [user] = await h.sql<{ id: number }[]>`SELECT id FROM users WHERE name = ${viewer.user!}`;
    const actor: Actor = { kind: "user", userId: user!.id, name: viewer.user!, role: "viewer", keyPrefix: "test" };
    const ids = await h.sql<{ id: number; name: string }[]>`SELECT id, name FROM services WHERE name = ANY(${all}::text[])`;
    // No join with services: its own policy would hide the rows the roll-ups' policy must.
    const seen = await asActor(h.appPool, actor, ({ sql }) => sql<{ service_id: number }[]>`
      SELECT DISTINCT service_id FROM log_rollups WHERE service_id = ANY(${ids.map((r) => r.id)}::int[])`);
    expect(seen.map((r) => ids.find((i) => i.id === r.service_id)!.name).sort()).toEqual([...mine].sort());
  });

  it("refuse an ingest key a roll-up row for a service outside its scope", async () => {
    const [other] = await h.sql<{ id: number }[]>`SELECT id FROM services WHERE name = ${theirs}`;
    const actor: Actor = { kind: "ingest", name: "scoped", keyPrefix: "test", services: [mine[0]!] };
    await expect(
      asActor(h.appPool, actor, ({ sql }) => sql`
        INSERT INTO log_rollups (ts, bucket_seconds, service_id, events, errors, last_ts) VALUES (date_trunc('minute', now()), 60, ${other!.id}, 1000, 0, now())`),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("never make two batches of one service and minute wait for each other", async () => {
    const actor: Actor = { kind: "ingest", name: "concurrent", keyPrefix: "test", services: [mine[0]!] };
    const serviceIds = new ServiceIds();
    const batch = () => toColumns([{ service: mine[0]!, timestamp: new Date(now.getTime() - 5_000), level: "info" as const, latency_ms: 12 }]);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let firstWrote!: () => void;
    const wrote = new Promise<void>((r) => (firstWrote = r));
    const first = asActor(h.appPool, actor, async (scoped) => {
      await writeBatch(scoped, serviceIds, batch());
      firstWrote();
      await held; // the first batch's transaction stays open with its rows written
    });
    await wrote;
    // A lock wait would fail this at once rather than hang the test.
    await asActor(h.appPool, actor, async (scoped) => {
      await scoped.sql`SET LOCAL lock_timeout = '200ms'`;
      await writeBatch(scoped, serviceIds, batch());
    });
    release();
    await first;
  });

  it("were backfilled by migration 0011 with the aggregation that defines them", async () => {
    // The migration's SELECT is a frozen copy of rollupSql("log_events"): both over the
    // same events must give the same rows.
    const migration = readFileSync(new URL("../../migrations/0011_log_rollups.sql", import.meta.url), "utf8");
    const start = migration.indexOf("SELECT ts, bucket_seconds, service_id, sum(n)::int");
    const frozen = migration.slice(start, migration.indexOf(";", start)).replace(/, true\s*\nFROM \(/, "\nFROM (");
    const ids = (await h.sql<{ id: number }[]>`SELECT id FROM services WHERE name = ANY(${all}::text[])`).map((r) => r.id);
    const rows = async (select: string) =>
      (await h.sql.unsafe(`SELECT * FROM (${select}) x(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u) WHERE c = ANY($1::int[]) ORDER BY a, b, c`, [ids]).values()).map((r) => JSON.stringify(r));
    const live = await rows(rollupSql("log_events"));
    expect(live.length).toBeGreaterThan(0);
    expect(await rows(frozen)).toEqual(live);
  });
});
