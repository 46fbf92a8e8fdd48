// Benchmark, not a test: `npm run bench` (a laptop-sized run), `npm run bench -- --events=10m`
// (the issue-15 run). On the embedded PostgreSQL and, when DATABASE_URL (a superuser URL) is
// set, on that server too, printing both side by side. Each target gets a production-like
// database: EVENTS events over 60 days across 50 services loaded inside PostgreSQL with
// their roll-ups, then, against a separately running API process:
//   ingest:       POST /v1/logs vs the API's own statement run directly vs raw COPY, 1 and 4 clients
//   /logs:        every filter set over HTTP as a viewer vs the same SQL with and without RLS
//   Loki API:     query_range for log and metric queries vs the SQL they compile to, and vs /logs
//   /status:      5m, 1h, 24h and one service, vs the raw-event SQL the roll-ups replaced
//   maintenance:  a retention run with and without an open 3 s read, and the longest insert meanwhile
//   mixed load:   4 ingest clients and 20 query clients at once, vs each alone
//   memory:       the API's RSS idle, under load and after; event-loop delay p99
// Ratios within a run are the figures; absolute times on a shared 2-core machine are noise.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createDb, type Sql } from "../app/db/client.ts";
import { asActor } from "../app/db/scoped.ts";
import { readInOneTrip } from "../app/db/scope.ts";
import type { Actor } from "../app/domain/actor.ts";
import type { LogEvent } from "../app/domain/log-event.ts";
import { IS_ERROR_SQL } from "../app/domain/error-event.ts";
import { writeBatch } from "../app/ingest/batch-writer.ts";
import { movedAsBytes, toColumns } from "../app/ingest/event-columns.ts";
import { PARSE_WORKER_IDLE_STOP_MS } from "../app/ingest/parse-pool.ts";
import { planLogsQuery } from "../app/logs/plan.ts";
import { LogsQuery } from "../app/logs/query-params.ts";
import { pageStatement, planLikeAPage } from "../app/logs/repository.ts";
import type { RangeAggregation } from "../app/logs/logql/ast.ts";
import { linesStatement, rangeStatement, stepsOf } from "../app/logs/logql/compile.ts";
import { parseLogQL } from "../app/logs/logql/parser.ts";
import { resolveServices } from "../app/logs/logql/repository.ts";
import { PgDialect } from "drizzle-orm/pg-core";
import { runPartitionMaintenance } from "../app/partitions/maintain.ts";
import { addMonths, monthStart, partitionName } from "../app/partitions/months.ts";
import { PartitionPolicySpec } from "../app/partitions/policy.ts";
import { ServiceIds } from "../app/services/service-ids.ts";
import { HourHistograms } from "../app/status/hour-histograms.ts";
import { readWindowStats } from "../app/status/repository.ts";
import { startApiProcess, type ApiProcess } from "./lib/api-process.ts";
import { runQueryClients } from "./lib/query-clients.ts";
import { COPY_COLUMNS, copyRow } from "./copy-encoding.ts";
import { loadFixture, liveBodies, liveEvents, SERVICES, type Fixture } from "./lib/fixture.ts";
import { mergeAllRollups } from "./lib/merge-rollups.ts";
import { LOGS_CASES, MIXED_PATHS } from "./lib/read-cases.ts";
import { FORMAT_BODIES, nativeJsonBody } from "./format-bodies.ts";
import { Report } from "./lib/report.ts";
import { count, inParallel, interleavedLatencies, latencies, quantile, seconds } from "./lib/stats.ts";
import { openTarget, type Target } from "./lib/target.ts";
import { machineCpuSeconds, postgresCpuSeconds, threadCpuSeconds } from "./lib/proc.ts";
import { request, resent } from "./lib/http-client.ts";
import { monitorEventLoopDelay } from "node:perf_hooks";

/** A timed run and the CPU seconds each side spent in it. */
type CpuRun = { seconds: number; database: number; bench: number; api: number };

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const EVENTS = count(arg("events") ?? process.env.EVENTS ?? "1m");
const DAYS = 60;
const BATCH = 5_000;
const INGEST_EVENTS = count(arg("ingest-events") ?? process.env.INGEST_EVENTS ?? "200000");
/** Rounds the ingest paths take turns in (INGEST_EVENTS is split between them). */
const INGEST_ROUNDS = Number(process.env.INGEST_ROUNDS ?? 2);
const FORMAT_EVENTS = count(process.env.FORMAT_EVENTS ?? "50000");
const QUERY_RUNS = Number(process.env.QUERY_RUNS ?? 60);
/** The raw-event status SQL takes up to a second at 10M events: fewer runs of it. */
const RAW_RUNS = Number(process.env.RAW_RUNS ?? Math.min(QUERY_RUNS, 20));
const MIXED_SECONDS = Number(process.env.MIXED_SECONDS ?? 20);
/** The share of its solo rate the last mixed phase offers ingest at: the issue's "ingest ≥ 0.7× its solo rate". */
const INGEST_SHARE = Number(process.env.INGEST_SHARE ?? 0.7);
const HELD_READ_MS = 3_000;
/** BENCH_SECTIONS=logs,loki runs only those (ingest, logs, loki, status, maintenance, mixed, formats); default all. */
const SECTIONS = (process.env.BENCH_SECTIONS ?? "ingest,logs,loki,status,maintenance,mixed,formats").split(",");
const runs = (section: string) => SECTIONS.includes(section);

const log = (line: string) => console.log(line);
const report = new Report();
/** BENCH_TARGETS=DATABASE_URL measures only that server (embedded, DATABASE_URL); default both, where DATABASE_URL is set. */
const TARGETS = ([["embedded", undefined], ...(process.env.DATABASE_URL ? [["DATABASE_URL", process.env.DATABASE_URL]] : [])] as [string, string | undefined][]).filter(
  ([label]) => !process.env.BENCH_TARGETS || process.env.BENCH_TARGETS.split(",").includes(label),
);

const INGEST = "Ingest";
const LOGS = "GET /logs as a viewer";
const STATUS = "GET /status";
const LOKI = "Loki API (query_range) as a viewer";
const MAINTENANCE = "Retention while ingesting";
const MIXED = "Mixed load";
const PROCESS = "API process";
const FORMATS = "Ingest by format";
report.section(INGEST, ["events/s", "vs own statement", "vs COPY", "database CPU µs/event", "bench CPU µs/event", "API CPU µs/event"], `${INGEST_EVENTS.toLocaleString("en")} live events per path, ${BATCH}-event batches, into the loaded table, in ${INGEST_ROUNDS} rounds the paths take in turn (COPY, own, POST, then the reverse), each from a database at rest (POST after one batch before the clock: the API's first starts its parse worker) and timed until the partial roll-ups it appended are merged (the API merges some of POST's as it runs). "Own statement": the API's INSERT (events and roll-ups, as an ingest key under row-level security) run directly from the bench. CPU: every postgres process of the machine, this bench's process and the API's, read from /proc over each run (the API's includes its background jobs).`);
report.section(LOGS, ["rows", "API p50", "API p95", "SQL+RLS p50", "SQL+RLS p95", "SQL p50", "SQL p95", "API p95 − SQL+RLS p95", "API CPU per request"], `${QUERY_RUNS} runs each, taking turns, ms. SQL: the page statement the API builds, without its audit entry, run from the bench as the viewer (RLS; BEGIN, scope, page and COMMIT in one write, as the API sends its read) and as the superuser (no RLS). The API's answer is read whole, not parsed. API CPU: what the API process used, all threads, per request (its background jobs included).`);
report.section(LOKI, ["rows or series", "API p50", "API p95", "SQL+RLS p50", "SQL+RLS p95", "API p95 / SQL+RLS p95", "/logs API p95", "API p95 / /logs API p95"], `${QUERY_RUNS} runs each, API and SQL taking turns, ms, over the last 24 h. SQL: the service lookup and the statement the LogQL compiles to, run from the bench as the viewer, as the API runs them. /logs: the same filter through GET /logs, where there is one.`);
report.section(STATUS, ["API p50", "API p95", "roll-up SQL p50", "roll-up SQL p95", "raw SQL p50", "raw SQL p95", "raw / API p95"], `${QUERY_RUNS} runs each, API and roll-up SQL taking turns (raw SQL ${RAW_RUNS}), ms. Raw SQL: the per-service scan of log_events /status ran before roll-ups (percentile_cont over every event of the window), as the superuser.`);
report.section(MAINTENANCE, ["outcome", "run s", "inserts", "longest insert ms", "p99 insert ms"], `A retention run (DETACH and DROP of an expired month) while one client sends 100-event batches to POST /v1/logs; with a ${HELD_READ_MS / 1000} s read of log_events open, the run's DETACH cannot take its lock.`);
report.section(MIXED, ["p50 ms", "p95 ms", "requests or events/s", "vs alone"], `${MIXED_SECONDS} s each: 4 clients ingesting ${BATCH}-event batches while 20 clients query (/logs filter sets and /status windows, as a viewer), asking again as soon as answered, then once a second each (each from a random point of its first second); then once a second each while ingest is offered at ${INGEST_SHARE}× its solo rate rather than as fast as answered. "Alone": the same query clients for half as long without ingest; ingest's "vs alone" is against its 4-client rate in the ingest section.`);
report.section(PROCESS, ["value"], "Resident memory of the API process (MiB), the p99 event-loop delay (ms, prom-client's monitor at 10 ms resolution), and the CPU the API process used per event in the ingest section's POST rows, all threads (µs): steadier than events/s on a shared machine.");
report.section(FORMATS, ["events/s", "vs native JSON", "vs COPY"], `${FORMAT_EVENTS.toLocaleString("en")} events through each wire format, ${BATCH}-event batches × 4.`);

log(`# Failsight volume benchmark`);
log(`Node ${process.version}; ${EVENTS.toLocaleString("en")} events over ${DAYS} days, ${SERVICES.length} services; targets: ${TARGETS.map(([t]) => t).join(", ")}`);

async function measure(target: Target, fixture: Fixture) {
  const t = target.label;
  const api = await startApiProcess(target);
  const runtime = createDb(target.runtimeUrl, { max: 8, applicationName: "failsight-bench-runtime" }).sql;
  const owner = createDb(target.ownerUrl, { max: 2, applicationName: "failsight-bench-owner" }).sql;
  try {
    await new Promise((r) => setTimeout(r, 5_000));
    const idleRss = api.rssMiB();
    await api.loopLagP99Ms();

    // --- ingest -------------------------------------------------------------------------
    const ingestActor: Actor = { kind: "ingest", name: "bench", keyPrefix: "bench", services: SERVICES };
    const serviceIds = new ServiceIds();
    const batchesOf = (events: LogEvent[]) => Array.from({ length: Math.ceil(events.length / BATCH) }, (_, b) => events.slice(b * BATCH, (b + 1) * BATCH));
    let soloRate = 0;
    let peakRss = 0;
    let ingestLag = 0;
    const ingestCpu = new Map<number, number>();
    const ingestThreads = new Map<string, number>();
    /** Milliseconds of each POST run's batch before the clock. */
    const warmUps: number[] = [];
    const perEvent = (cpuSeconds: number) => (cpuSeconds / INGEST_EVENTS) * 1e6;
    /**
     * A run's seconds, from a database at rest, and the CPU seconds the database server, this
     * bench and the API spent in it, up to the last partial roll-up row it appended being
     * merged. The API's compactor merges some of POST's while it runs; the statement run
     * directly leaves all of its own, and timed without them it was spared 4-5 % of its
     * cost that POST paid (#15). `warm` runs after the settle and before the clock, its
     * roll-ups merged.
     */
    const withCpu = async (run: () => Promise<unknown>, warm?: () => Promise<unknown>): Promise<CpuRun> => {
      await target.settle();
      if (warm) {
        await warm();
        await mergeAllRollups(target.systemSql);
      }
      const before = { database: postgresCpuSeconds(), bench: process.cpuUsage(), api: api.cpuSeconds() };
      const elapsed = await seconds(async () => {
        await run();
        await mergeAllRollups(target.systemSql);
      });
      const bench = process.cpuUsage(before.bench);
      return { seconds: elapsed, database: postgresCpuSeconds() - before.database, bench: (bench.user + bench.system) / 1e6, api: api.cpuSeconds() - before.api };
    };
    for (const clients of runs("ingest") ? [1, 4] : []) {
      // The three paths take turns in rounds, in mirrored order (COPY, own, POST, then POST,
      // own, COPY: a steady drift cancels), and each path's rounds are summed. Run one after
      // the other, the last path met the largest table and compacted the partial roll-ups the
      // own statement left, and the ×1 ratio came out 0.63 where batches sent in turn, own
      // and POST, gave 0.77-0.82 (#15).
      const rounds = INGEST_ROUNDS;
      const perRound = INGEST_EVENTS / rounds;
      const copy: CpuRun = { seconds: 0, database: 0, bench: 0, api: 0 };
      const direct: CpuRun = { ...copy };
      const viaApi: CpuRun = { ...copy };
      const add = (sum: CpuRun, run: CpuRun) => {
        sum.seconds += run.seconds;
        sum.database += run.database;
        sum.bench += run.bench;
        sum.api += run.api;
      };
      const threadCpu = new Map<string, number>();
      for (let round = 0; round < rounds; round++) {
        const batches = batchesOf(liveEvents(perRound, clients * 100 + round));
        const warmBody = Buffer.from(nativeJsonBody(liveEvents(BATCH, clients * 1000 + round)));
        // Each path's input made before the clock starts, in the form it is handed over: the
        // statement's columns as the parse worker hands them to the event loop (UTF-8 bytes),
        // and the POST bodies as a shipper's HTTP client holds them once serialised (bytes).
        // Strings on both sides put UTF-8 encoding in both clocks, ~1 ms a batch (#15).
        const columns = batches.map((b) => movedAsBytes(toColumns(b)).columns);
        const bodies = batches.map((b) => Buffer.from(nativeJsonBody(b)));
        const paths = [
          async () => add(copy, await withCpu(() => inParallel(batches, clients, (b) => copyRows(target.superSql, fixture, b)))),
          async () => add(direct, await withCpu(() => inParallel(columns, clients, (b) => asActor(runtime, ingestActor, (scoped) => writeBatch(scoped, serviceIds, b)).then(() => {})))),
          async () => {
            await api.loopLagP99Ms();
            const sampler = setInterval(() => (peakRss = Math.max(peakRss, api.rssMiB())), 250);
            const threadsBefore = threadCpuSeconds(api.pid);
            // One batch before the clock. The API's first batch starts its parse worker and
            // runs code not yet optimised, 200 ms more than the rest (#15: 296 against a
            // median of 91 ms, 200k events, PG15), which the first one-client run of 100,000
            // events paid alone while the statement run directly was warm all along; a
            // worker stopped by a pause longer than PARSE_WORKER_IDLE_STOP_MS (a slow settle)
            // costs its next batch 150-170 ms. The slowest and the median of these batches
            // are in the API process section.
            const warm = async () => warmUps.push(await seconds(() => post(api, fixture.ingestKey, warmBody)) * 1000);
            add(viaApi, await withCpu(() => inParallel(bodies, clients, (body) => post(api, fixture.ingestKey, body)), warm));
            for (const [thread, cpu] of threadCpuSeconds(api.pid)) threadCpu.set(thread, (threadCpu.get(thread) ?? 0) + cpu - (threadsBefore.get(thread) ?? 0));
            clearInterval(sampler);
            if (clients === 4) ingestLag = Math.max(ingestLag, await api.loopLagP99Ms());
          },
        ];
        for (const path of round % 2 ? paths.reverse() : paths) await path();
      }
      for (const [thread, cpu] of threadCpu) {
        const micros = perEvent(cpu);
        if (micros >= 0.1) ingestThreads.set(`${thread}, ${clients} client${clients > 1 ? "s" : ""}`, micros);
      }
      ingestCpu.set(clients, perEvent(viaApi.api));
      if (clients === 4) soloRate = INGEST_EVENTS / viaApi.seconds;
      const rate = (s: number) => INGEST_EVENTS / s;
      const cpu = (run: CpuRun) => [perEvent(run.database), perEvent(run.bench), perEvent(run.api)];
      report.put(t, INGEST, `raw COPY × ${clients}`, [rate(copy.seconds), "", 1, ...cpu(copy)]);
      report.put(t, INGEST, `own statement × ${clients}`, [rate(direct.seconds), 1, copy.seconds / direct.seconds, ...cpu(direct)]);
      report.put(t, INGEST, `POST /v1/logs × ${clients}`, [rate(viaApi.seconds), direct.seconds / viaApi.seconds, copy.seconds / viaApi.seconds, ...cpu(viaApi)]);
    }
    await target.superSql`VACUUM ANALYZE log_events`;

    // --- /logs --------------------------------------------------------------------------
    const viewer: Actor = { kind: "user", userId: fixture.viewerId, name: "bench-viewer", role: "viewer", keyPrefix: "bench" };
    for (const [name, params] of runs("logs") ? LOGS_CASES : []) {
      const qs = new URLSearchParams(params).toString();
      const planned = planLogsQuery(LogsQuery.parse(params), new Date());
      if (!planned.ok) throw new Error(`bad case ${name}`);
      const ids = planned.plan.services?.map((s) => fixture.serviceIds.get(s)!);
      // A first page, as the API runs it.
      const query = pageStatement(planned.plan, ids);
      const rows = ((await get(api, fixture.viewerKey, `/logs?${qs}`)) as { items: unknown[] }).items.length;
      const cpuBefore = api.cpuSeconds();
      const [apiTimes, rls, plain] = await interleavedLatencies(QUERY_RUNS, [
        // Answered and read, not parsed, like the SQL's answer: parsing a 1,000-row page in
        // the bench took a few ms of the API's time.
        () => get(api, fixture.viewerKey, `/logs?${qs}`, false),
        // As the API sends its read: BEGIN, scope, settings, the page and COMMIT in one write.
        () =>
          readInOneTrip(runtime, viewer, (sql) => {
            planLikeAPage(sql, planned.plan);
            return sql.unsafe(query.sql, query.params as never[], { prepare: true }).execute();
          }),
        () =>
          target.superSql.begin((sql) => {
            planLikeAPage(sql as unknown as Sql, planned.plan);
            return sql.unsafe(query.sql, query.params as never[], { prepare: true });
          }),
      ]);
      const cpuMs = ((api.cpuSeconds() - cpuBefore) / QUERY_RUNS) * 1000;
      report.put(t, LOGS, name, [rows, q(apiTimes, 50), q(apiTimes, 95), q(rls, 50), q(rls, 95), q(plain, 50), q(plain, 95), q(apiTimes, 95) - q(rls, 95), cpuMs]);
    }

    // --- Loki API -----------------------------------------------------------------------
    for (const c of runs("loki") ? LOKI_CASES : []) {
      // Grafana aligns a metric query's range to its step; the aligned cases do too.
      const end = c.aligned ? Math.floor(Date.now() / 60_000) * 60_000 : Date.now();
      const window = { fromUs: (end - 86_400_000) * 1000, toUs: end * 1000 };
      const params = new URLSearchParams({ query: c.query, start: `${window.fromUs}000`, end: `${window.toUs}000`, limit: "100", step: "60s" });
      let size = 0;
      // The API's own statements, as it runs them: the services looked up first, then the query.
      const parsed = parseLogQL(c.query);
      const selector = parsed.kind === "log" ? parsed.selector : (parsed.expr as { inner: RangeAggregation }).inner.selector;
      const statement = (serviceIds: number[] | undefined) =>
        parsed.kind === "log"
          ? linesStatement({ selector: parsed.selector, window, direction: "backward", limit: 100, serviceIds })
          : rangeStatement((parsed.expr as { inner: RangeAggregation }).inner, c.groupBy!, stepsOf(window.fromUs, window.toUs, 60_000), serviceIds);
      const [apiTimes, rls] = await interleavedLatencies(QUERY_RUNS, [
        async () => {
          size = ((await get(api, fixture.viewerKey, `/loki/api/v1/query_range?${params}`)) as { data: { result: unknown[] } }).data.result.length;
        },
        () =>
          asActor(runtime, viewer, async ({ db, sql }) => {
            const compiled = new PgDialect().sqlToQuery(statement(await resolveServices(db, selector)));
            await sql.unsafe(compiled.sql, compiled.params as never[]);
          }),
      ]);
      const logsTimes = c.logs ? await latencies(QUERY_RUNS, () => get(api, fixture.viewerKey, `/logs?${new URLSearchParams({ ...c.logs!, from: "now-24h" })}`)) : undefined;
      report.put(t, LOKI, c.name, [size, q(apiTimes, 50), q(apiTimes, 95), q(rls, 50), q(rls, 95), q(apiTimes, 95) / q(rls, 95), logsTimes ? q(logsTimes, 95) : "", logsTimes ? q(apiTimes, 95) / q(logsTimes, 95) : ""]);
    }

    // --- /status ------------------------------------------------------------------------
    // Kept across calls, as the API keeps them (status/hour-histograms.ts).
    const hourHistograms = new HourHistograms();
    for (const [name, path, key, windowMs, names] of runs("status") ? STATUS_CASES(fixture) : []) {
      const actor: Actor = key === fixture.viewerKey ? viewer : { kind: "user", userId: 0, name: "bench-admin", role: "admin", keyPrefix: "bench" };
      const [apiTimes, rollup] = await interleavedLatencies(QUERY_RUNS, [
        () => get(api, key, path),
        () => asActor(runtime, actor, ({ sql }) => readWindowStats(sql, new Date(), windowMs, hourHistograms, names)),
      ]);
      const raw = await latencies(RAW_RUNS, () => rawWindowStats(target.superSql, windowMs, names));
      report.put(t, STATUS, name, [q(apiTimes, 50), q(apiTimes, 95), q(rollup, 50), q(rollup, 95), q(raw, 50), q(raw, 95), q(raw, 95) / q(apiTimes, 95)]);
    }

    // --- maintenance --------------------------------------------------------------------
    for (const held of runs("maintenance") ? [false, true] : []) {
      const expired = addMonths(monthStart(new Date()), held ? -15 : -14);
      const name = partitionName("log_events", expired);
      await target.superSql.unsafe(`CREATE TABLE ${name} PARTITION OF log_events FOR VALUES FROM ('${expired.toISOString()}') TO ('${addMonths(expired, 1).toISOString()}')`);
      const reader = await target.superSql.reserve();
      if (held) {
        await reader`BEGIN`;
        await reader`SELECT count(*) FROM log_events WHERE ts > now() - interval '1 hour'`;
      }
      const releaseRead = held ? new Promise<void>((r) => setTimeout(async () => { await reader`COMMIT`; r(); }, HELD_READ_MS)) : Promise.resolve();
      const waits: number[] = [];
      let stop = false;
      const few = liveEvents(2_000, 7).map((e) => ({ ...e, timestamp: e.timestamp.toISOString() }));
      const small = Array.from({ length: 20 }, (_, i) => JSON.stringify(few.slice(i * 100, (i + 1) * 100)));
      // One batch before the clock: after 30 s without ingest the parse workers have stopped
      // (PARSE_WORKER_IDLE_STOP_MS), and starting one is not what this section measures.
      await post(api, fixture.ingestKey, small[0]!);
      const writer = (async () => {
        for (let i = 1; !stop; i++) {
          const started = performance.now();
          await post(api, fixture.ingestKey, small[i % small.length]!);
          waits.push(performance.now() - started);
        }
      })();
      await new Promise((r) => setTimeout(r, 200));
      const policy = PartitionPolicySpec.parse({ premakeMonths: 3, retentionMonths: 12, retentionMode: "drop" });
      let outcome = "";
      const runSeconds = await seconds(async () => {
        const run = await runPartitionMaintenance(owner, policy, new Date());
        outcome = run.ran ? [...new Set(run.actions.filter((a) => a.partition === name).map((a) => `${a.kind} ${a.result}`))].join(", ") : run.reason;
      });
      await releaseRead;
      stop = true;
      await writer;
      reader.release();
      report.put(t, MAINTENANCE, held ? `open ${HELD_READ_MS / 1000} s read` : "no open read", [outcome, runSeconds, waits.length, Math.max(...waits), q(waits, 99)]);
      if (held) await runPartitionMaintenance(owner, policy, new Date()); // the deferred month, now the read is gone
    }

    // --- mixed load ---------------------------------------------------------------------
    // Three times: query clients that send their next request as soon as the last is
    // answered (the server saturated: what it can serve), and clients that each send one a
    // second (people and dashboards: how fast each answer comes while ingest runs), first
    // beside ingest clients that send as fast as they are answered, then beside ingest
    // offered at INGEST_SHARE of its solo rate. Ingest as fast as answered takes every CPU
    // slice the scheduler gives its backends, so the readers' share, not their cost, sets
    // their latency; offered at a fixed rate, the run shows whether that rate and the
    // readers fit the machine at all.
    let mixedLag = 0;
    if (runs("mixed")) {
      const live = liveBodies(400_000, 11, BATCH);
      const ask = (until: number, paceMs: number) => runQueryClients({ base: api.base, key: fixture.viewerKey, paths: MIXED_PATHS, clients: 20, until, paceMs });
      const phases = [
        ["as fast as answered", 0, 0],
        ["one request a second each", 1_000, 0],
        // Its rate comes from the ingest section's 4-client run.
        ...(soloRate ? ([[`one request a second each, ingest offered at ${INGEST_SHARE}× its solo rate`, 1_000, INGEST_SHARE]] as const) : []),
      ] as const;
      for (const [label, paceMs, ingestShare] of phases) {
        // Each phase from a database at rest: the one before it leaves ingested rows for
        // autovacuum and roll-ups to compact, whose work would land in the next phase.
        await mergeAllRollups(target.systemSql);
        await target.settle();
        const alone = (await ask(Date.now() + MIXED_SECONDS * 500, paceMs)).byPath.flatMap(([, times]) => times);
        let ingested = 0;
        await target.settle();
        const benchLoop = monitorEventLoopDelay({ resolution: 10 });
        benchLoop.enable();
        const end = Date.now() + MIXED_SECONDS * 1000;
        const { timings: timingsBefore } = await api.scrape();
        const cpuBefore = { machine: machineCpuSeconds(), database: postgresCpuSeconds(), api: api.cpuSeconds(), bench: process.cpuUsage() };
        const sampler = setInterval(() => (peakRss = Math.max(peakRss, api.rssMiB())), 250);
        const started = performance.now();
        // Ingest's rate is over its own clients' span: the queries' last answers may come
        // after its last batch, and counting that tail made a phase offered at 0.70x show 0.67.
        let ingestSeconds = 0;
        const ingest = Promise.all(
          Array.from({ length: 4 }, async (_, c) => {
            // Offered at a rate: each client sends a batch every `every` ms, starting a quarter apart.
            const every = ingestShare ? (4 * BATCH * 1000) / (ingestShare * soloRate) : 0;
            let due = performance.now() + (every * c) / 4;
            for (let i = c; Date.now() < end; i += 4) {
              if (every) {
                if (performance.timeOrigin + due >= end) break;
                await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
                due += every;
              }
              await post(api, fixture.ingestKey, live[i % live.length]!.body(Date.now()));
              ingested += BATCH;
            }
          }),
        ).then(() => (ingestSeconds = (performance.now() - started) / 1000));
        const [, answered] = await Promise.all([ingest, ask(end, paceMs)]);
        const byPath = new Map(answered.byPath);
        const elapsed = (performance.now() - started) / 1000;
        benchLoop.disable();
        // Which requests make the tail, and whether the bench itself was late: the log, not the report.
        log(`  ${label}: the bench's own event-loop delay p99 ${(benchLoop.percentile(99) / 1e6).toFixed(1)} ms, max ${(benchLoop.max / 1e6).toFixed(1)} ms (ingest clients), p99 ${answered.loopP99Ms.toFixed(1)} ms, max ${answered.loopMaxMs.toFixed(1)} ms (query clients)`);
        log(`  ${label}, p95 ms by request: ${[...byPath].map(([path, times]) => `${path} ${q(times, 95).toFixed(0)}`).join("; ")}`);
        clearInterval(sampler);
        const { loopLagP99Ms, timings } = await api.scrape();
        mixedLag = Math.max(mixedLag, loopLagP99Ms);
        log(`  ${label}, where the time went: ${whereTimeWent(api, cpuBefore, elapsed, timingsBefore, timings)}`);
        const timesOf = (status: boolean) => [...byPath].filter(([path]) => path.startsWith("/status") === status).flatMap(([, times]) => times);
        const logsTimes = timesOf(false);
        const statusTimes = timesOf(true);
        const queries = [...logsTimes, ...statusTimes];
        report.put(t, MIXED, `${label}: /logs`, [q(logsTimes, 50), q(logsTimes, 95), logsTimes.length / elapsed, ""]);
        report.put(t, MIXED, `${label}: /status`, [q(statusTimes, 50), q(statusTimes, 95), statusTimes.length / elapsed, ""]);
        report.put(t, MIXED, `${label}: all queries (alone: p95)`, [q(queries, 50), q(queries, 95), queries.length / elapsed, `${q(alone, 95).toFixed(1)} ms alone`]);
        report.put(t, MIXED, `${label}: ingest`, ["", "", ingested / ingestSeconds, ingested / ingestSeconds / soloRate]);
      }
    }

    // --- ingest by format ---------------------------------------------------------------
    const formatBatches = runs("formats") ? batchesOf(liveEvents(FORMAT_EVENTS, 13)) : [];
    const copyFormat = await seconds(() => inParallel(formatBatches, 4, (b) => copyRows(target.superSql, fixture, b)));
    let native = 0;
    for (const format of runs("formats") ? FORMAT_BODIES : []) {
      const encoded = formatBatches.map((b) => format.body(b));
      const s = await seconds(() => inParallel(encoded, 4, (body) => post(api, fixture.ingestKey, body, format.path, format.contentType, format.ok)));
      native ||= s;
      report.put(t, FORMATS, `${format.name} (\`${format.path}\`)`, [FORMAT_EVENTS / s, native / s, copyFormat / s]);
    }

    await new Promise((r) => setTimeout(r, 10_000));
    const rssSoonAfter = api.rssMiB();
    // Once the parse workers have stopped for want of work, their heaps given back.
    await new Promise((r) => setTimeout(r, PARSE_WORKER_IDLE_STOP_MS));
    report.put(t, PROCESS, "RSS idle, MiB", [idleRss]);
    report.put(t, PROCESS, "RSS peak under load, MiB", [peakRss]);
    report.put(t, PROCESS, "RSS 10 s after load, MiB", [rssSoonAfter]);
    report.put(t, PROCESS, `RSS ${PARSE_WORKER_IDLE_STOP_MS / 1000 + 10} s after load (parse workers stopped), MiB`, [api.rssMiB()]);
    report.put(t, PROCESS, "event-loop delay p99 under 4-client ingest, ms", [ingestLag]);
    if (warmUps.length) {
      report.put(t, PROCESS, `POST of ${BATCH} events before an ingest run's clock, slowest (the API's first), ms`, [Math.max(...warmUps)]);
      report.put(t, PROCESS, `POST of ${BATCH} events before an ingest run's clock, median, ms`, [quantile(warmUps, 50)]);
    }
    for (const [clients, micros] of ingestCpu) report.put(t, PROCESS, `CPU per ingested event, ${clients} client${clients > 1 ? "s" : ""}, µs`, [micros]);
    for (const [thread, micros] of ingestThreads) report.put(t, PROCESS, `  of which ${thread}, µs`, [micros]);
    report.put(t, PROCESS, "event-loop delay p99 under mixed load, ms", [mixedLag]);
  } finally {
    await api.stop();
    await runtime.end();
    await owner.end();
  }
}

// --- cases ------------------------------------------------------------------------------
/** LogQL the Grafana datasource sends, with the /logs filter that selects the same lines where there is one. */
const LOKI_CASES: { name: string; query: string; groupBy?: string[]; logs?: Record<string, string>; aligned?: boolean }[] = [
  { name: "selector + line filter, one service", query: '{service="svc-07"} |= "timeout"', logs: { service: "svc-07", q: "timeout" } },
  { name: "selector, one service, errors", query: '{service="svc-03", level=~"error|fatal"}', logs: { service: "svc-03", level: "error" } },
  { name: "status 5xx, all services", query: '{service=~"svc-.+", status=~"5.."}', logs: { status: "5xx" } },
  { name: "sum by (level) (count_over_time [1m]), one service", query: 'sum by (level) (count_over_time({service="svc-03"}[1m]))', groupBy: ["level"] },
  { name: "sum by (level) (count_over_time [1m]), all services", query: 'sum by (level) (count_over_time({service=~"svc-.+"}[1m]))', groupBy: ["level"] },
  // Minute-aligned, as Grafana sends them: read from the roll-ups. The SQL column is then the events' statement.
  { name: "the same, one service, minute-aligned (roll-ups)", query: 'sum by (level) (count_over_time({service="svc-03"}[1m]))', groupBy: ["level"], aligned: true },
  { name: "the same, all services, minute-aligned (roll-ups)", query: 'sum by (level) (count_over_time({service=~"svc-.+"}[1m]))', groupBy: ["level"], aligned: true },
];

function STATUS_CASES(f: Fixture): [string, string, string, number, string[] | undefined][] {
  return [
    ["5m, viewer", "/status?window=5m", f.viewerKey, 300_000, undefined],
    ["1h, viewer", "/status?window=1h", f.viewerKey, 3_600_000, undefined],
    ["24h, viewer", "/status?window=24h", f.viewerKey, 86_400_000, undefined],
    ["24h, admin", "/status?window=24h", f.adminKey, 86_400_000, undefined],
    ["one service, 24h, viewer", "/status/svc-03?window=24h", f.viewerKey, 86_400_000, ["svc-03"]],
  ];
}

/** What /status ran before roll-ups: every event of the window, per service. */
function rawWindowStats(sql: Sql, windowMs: number, names: string[] | undefined) {
  const now = new Date();
  return sql`
    SELECT s.id, s.name, coalesce(w.requests, 0) AS requests, coalesce(w.errors, 0) AS errors, w.p,
           (SELECT max(e.ts) FROM log_events e WHERE e.service_id = s.id AND e.ts <= ${now.toISOString()}) AS last_event
    FROM services s
    LEFT JOIN LATERAL (
      SELECT count(*)::int AS requests, (count(*) FILTER (WHERE ${sql.unsafe(IS_ERROR_SQL)}))::int AS errors,
             percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY latency_ms) AS p
      FROM log_events WHERE service_id = s.id AND ts > ${new Date(now.getTime() - windowMs).toISOString()} AND ts <= ${now.toISOString()}
    ) w ON true
    ${names ? sql`WHERE s.name = ANY(${names}::text[])` : sql``}
    ORDER BY s.name`;
}

// --- helpers ----------------------------------------------------------------------------
const q = quantile;

async function copyRows(sql: Sql, fixture: Fixture, rows: LogEvent[]) {
  const copy = await sql.unsafe(`COPY log_events (${COPY_COLUMNS.join(", ")}) FROM STDIN`).writable();
  await pipeline(Readable.from([rows.map((e) => copyRow(e, fixture.serviceIds.get(e.service)!)).join("")]), copy);
}

/**
 * A mixed phase's log line: how busy the machine was and who used its cores, and the API's
 * mean time per request and per database operation (from its own metrics), to set against
 * the latencies the bench saw.
 */
function whereTimeWent(
  api: ApiProcess,
  before: { machine: { busy: number; idle: number }; database: number; api: number; bench: NodeJS.CpuUsage },
  seconds: number,
  timingsBefore: Map<string, { seconds: number; count: number }>,
  timingsAfter: Map<string, { seconds: number; count: number }>,
): string {
  const machine = machineCpuSeconds();
  const busy = machine.busy - before.machine.busy;
  const bench = process.cpuUsage(before.bench);
  const cores = (cpuSeconds: number) => (cpuSeconds / seconds).toFixed(2);
  const means = [...timingsAfter]
    .map(([what, after]) => {
      const count = after.count - (timingsBefore.get(what)?.count ?? 0);
      return count ? `${what} ${(((after.seconds - (timingsBefore.get(what)?.seconds ?? 0)) / count) * 1000).toFixed(1)} ms × ${count}` : "";
    })
    .filter(Boolean);
  return `machine busy ${((100 * busy) / (busy + machine.idle - before.machine.idle)).toFixed(0)}%; cores used by the database ${cores(postgresCpuSeconds() - before.database)}, the API ${cores(api.cpuSeconds() - before.api)}, the bench ${cores((bench.user + bench.system) / 1e6)}; API means: ${means.join(", ")}`;
}

async function post(api: ApiProcess, key: string, body: string | Uint8Array, path = "/v1/logs", contentType = "application/json", ok = 200) {
  const res = await request(`${api.base}${path}`, { method: "POST", headers: { "content-type": contentType, authorization: `Bearer ${key}` }, body });
  if (res.status !== ok) throw new Error(`${path} answered ${res.status}: ${res.text}`);
}

async function get(api: ApiProcess, key: string, path: string, parse = true): Promise<unknown> {
  const res = await request(`${api.base}${path}`, { headers: { authorization: `Bearer ${key}` } });
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${res.text}`);
  return parse ? JSON.parse(res.text) : undefined;
}

// --- run (last: everything above is declared by now) ------------------------------------
for (const [label, url] of TARGETS) {
  const target = await openTarget(label, url, 3);
  log(`\n${label}: PostgreSQL ${target.version}, server jit=${target.jit} (Failsight's connections set jit=off)`);
  try {
    const fixture = await loadFixture(target, EVENTS, DAYS, log);
    await measure(target, fixture);
  } finally {
    await target.close();
  }
}
report.print(log);
if (resent) log(`\n${resent} request(s) sent again after the API closed the idle connection they went out on (bench/lib/http-client.ts).`);
