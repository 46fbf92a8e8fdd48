// Benchmark, not a test: `npm run bench` (EVENTS=200000 for a quicker run).
//
// Loads EVENTS events spread over the last 90 days, twice: once as raw COPY straight into
// log_events as the superuser (the baseline: no row-level security, no validation), once
// through POST /v1/logs of a separately running API process with an ingest key (validated,
// and written by one INSERT per batch under row-level security). Then times /logs for
// typical filter sets three ways: over HTTP with a viewer's key, the same SQL run directly
// under row-level security as that viewer, and the same SQL as the superuser (no
// row-level security). Figures are ratios within the run; absolute numbers on a shared
// 2-core machine are noise.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { createDb } from "../app/db/client.ts";
import { startEmbeddedPostgres } from "../app/db/embedded.ts";
import { runMigrations } from "../app/db/migrate.ts";
import { createProductionLikeDatabase } from "../app/db/roles.ts";
import { COPY_COLUMNS, copyRow } from "./copy-encoding.ts";
import { FORMAT_BODIES } from "./format-bodies.ts";
import type { LogEvent } from "../app/domain/log-event.ts";
import { planLogsQuery } from "../app/logs/plan.ts";
import { LogsQuery } from "../app/logs/query-params.ts";
import { buildLogsQuery } from "../app/logs/repository.ts";
import { createTeam, createUser } from "../app/access/repository.ts";
import { createKey } from "../app/access/api-keys.ts";
import { asActor } from "../app/db/scoped.ts";
import { ServiceIds } from "../app/services/service-ids.ts";
import { freePort } from "../app/test-support/free-port.ts";

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const BATCH = 5_000;
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4);
const QUERY_RUNS = Number(process.env.QUERY_RUNS ?? 60);
const DAY = 86_400_000;

const log = (line: string) => console.log(line);

// --- database -------------------------------------------------------------------------
const embedded = process.env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({ dataDir: path.join(mkdtempSync(path.join(tmpdir(), "failsight-bench-")), "pgdata"), port: await freePort(), persistent: false });
const adminUrl = process.env.DATABASE_URL ?? embedded!.url;
const dbName = `failsight_bench_${Date.now().toString(36)}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
const [{ server_version: version }] = (await admin`SHOW server_version`) as unknown as [{ server_version: string }];
// An owner role migrates, the API connects as its runtime role, as in production; the
// superuser (the baseline) skips row-level security.
const database = await createProductionLikeDatabase(admin, adminUrl, dbName, "bench");
const { ownerUrl: url, runtimeUrl } = database;
const superUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
const { sql: appSql } = createDb(url, { max: 4, applicationName: "failsight-bench-app" });
const { sql, db } = createDb(superUrl, { max: 4, applicationName: "failsight-bench" });
await runMigrations(appSql);
// The migration made this month and three ahead; the partition controller would have made
// the months behind. Make them here so the 90 days land in monthly partitions.
await appSql.unsafe(`DO $$ BEGIN FOR i IN 1..3 LOOP
  EXECUTE format('CREATE TABLE %I PARTITION OF log_events FOR VALUES FROM (%L) TO (%L)',
    'log_events_p' || to_char(date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => i), 'YYYY_MM'),
    (date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => i)) AT TIME ZONE 'UTC',
    (date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => i - 1)) AT TIME ZONE 'UTC');
END LOOP; END $$`);

log(`# Failsight ingest and query benchmark`);
log(`PostgreSQL ${version} (${embedded ? "embedded" : "DATABASE_URL"}), Node ${process.version}, ${EVENTS.toLocaleString("en")} events over 90 days, batches of ${BATCH}, ${CONCURRENCY} concurrent requests`);

// --- data -----------------------------------------------------------------------------
const services = Array.from({ length: 20 }, (_, i) => `svc-${String(i).padStart(2, "0")}`);
const now = Date.now();
// mulberry32: a plain LCG's successive outputs correlate, which left, for one, no 5xx
// among the last day's events of any service.
let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const routes = ["/orders/:id", "/cart", "/pay", "/users/:id", "/search"];
const events: LogEvent[] = Array.from({ length: EVENTS }, (_, i) => {
  const r = rand();
  const status = r < 0.02 ? 503 : r < 0.04 ? 500 : r < 0.1 ? 404 : 200;
  return {
    service: services[i % services.length]!,
    timestamp: new Date(now - Math.floor(rand() * 90 * DAY)),
    level: status >= 500 ? "error" : status === 404 ? "warn" : "info",
    message: status >= 500 ? `upstream timeout calling payments (attempt ${i % 3})` : `handled request ${i}`,
    method: "GET",
    route: routes[i % routes.length]!,
    status,
    ...(status >= 500 ? { error_code: status === 503 ? "E_UPSTREAM_TIMEOUT" : "E_INTERNAL" } : {}),
    latency_ms: Math.round(rand() * 400 * 100) / 100,
    trace_id: (i * 2654435761).toString(16).padStart(32, "0").slice(-32),
    attributes: { region: i % 2 ? "eu-west-1" : "us-east-1" },
  };
});
const batches = Array.from({ length: Math.ceil(EVENTS / BATCH) }, (_, b) => events.slice(b * BATCH, (b + 1) * BATCH));

// --- baseline: raw COPY ---------------------------------------------------------------
const ids = await new ServiceIds().register(sql, services, (run) => run());
// A team owns every service, and a viewer in it: every query returns the same rows with
// and without row-level security, so only its cost differs.
const { sql: systemSql } = createDb(url, { max: 1, systemScope: true });
await createTeam(systemSql, "bench-team");
await systemSql`UPDATE services SET owner_team = 'bench-team'`;
await createUser(systemSql, "bench-viewer", "viewer", ["bench-team"]);
const viewerKey = (await createKey(systemSql, { name: "bench viewer", user: "bench-viewer" }))!.key;
const ingestKey = (await createKey(systemSql, { name: "bench ingest", services }))!.key;
const [viewer] = await systemSql<{ id: number }[]>`SELECT id FROM users WHERE name = 'bench-viewer'`;
await systemSql.end();
async function copyRows(rows: LogEvent[]) {
  const copy = await sql.unsafe(`COPY log_events (${COPY_COLUMNS.join(", ")}) FROM STDIN`).writable();
  await pipeline(Readable.from((function* () { for (let i = 0; i < rows.length; i += 1000) yield rows.slice(i, i + 1000).map((e) => copyRow(e, ids.get(e.service)!)).join(""); })()), copy);
}
async function timed(fn: () => Promise<void>) {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}
const copyOne = await timed(() => copyRows(events));
await sql`TRUNCATE log_events`;
const copyBatched = await timed(() => inParallel(batches, CONCURRENCY, copyRows));
await sql`TRUNCATE log_events`;

// --- through the API ------------------------------------------------------------------
const port = await freePort();
const api = spawn(process.execPath, [fileURLToPath(new URL("../app/main/api.ts", import.meta.url))], {
  env: { ...process.env, DATABASE_URL: runtimeUrl, OWNER_DATABASE_URL: url, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", STATUS_EVALUATION_SECONDS: "3600", FAILSIGHT_AUTH: "on" },
  stdio: ["ignore", "inherit", "inherit"],
});
await waitFor(`http://127.0.0.1:${port}/health`);
const bodies = batches.map((b) => JSON.stringify(b.map((e) => ({ ...e, timestamp: e.timestamp.toISOString() }))));
const viaApi = await timed(() =>
  inParallel(bodies, CONCURRENCY, async (body) => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/logs`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ingestKey}` }, body });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  }),
);
const [{ n }] = (await sql`SELECT count(*)::int AS n FROM log_events`) as unknown as [{ n: number }];
if (n !== EVENTS) throw new Error(`expected ${EVENTS} rows after API ingest, found ${n}`);
await sql`VACUUM ANALYZE log_events`;

const rate = (s: number) => Math.round(EVENTS / s);
log("");
log("## Ingest");
log("| path | seconds | events/s | vs one COPY | vs batched COPY |");
log("|---|---:|---:|---:|---:|");
log(`| raw COPY, one stream | ${copyOne.toFixed(2)} | ${rate(copyOne).toLocaleString("en")} | 1.00 | |`);
log(`| raw COPY, ${BATCH}-row batches × ${CONCURRENCY} | ${copyBatched.toFixed(2)} | ${rate(copyBatched).toLocaleString("en")} | ${(copyOne / copyBatched).toFixed(2)} | 1.00 |`);
log(`| POST /v1/logs (ingest key, row-level security), ${BATCH}-event JSON batches × ${CONCURRENCY} | ${viaApi.toFixed(2)} | ${rate(viaApi).toLocaleString("en")} | ${(copyOne / viaApi).toFixed(2)} | ${(copyBatched / viaApi).toFixed(2)} |`);

// --- queries --------------------------------------------------------------------------
const cases: [string, Record<string, string>][] = [
  ["one service, last hour", { service: "svc-03", from: "now-1h" }],
  ["one service, errors, last 24h", { service: "svc-03", level: "error", from: "now-24h" }],
  ["all services, 5xx, last 6h", { status: "5xx", from: "now-6h" }],
  ["error code, last 7d", { error_code: "E_UPSTREAM_TIMEOUT", from: "now-7d" }],
  ["text search, one service, last 24h", { service: "svc-07", q: "timeout", from: "now-24h" }],
  ["three services, last 30d, 1000 rows", { service: "svc-01,svc-02,svc-03", from: "now-30d", limit: "1000" }],
  ["trace id", { trace_id: events[123_456 % EVENTS]!.trace_id! }],
  ["no filter, newest 100", {}],
];
log("");
log(`## GET /logs (${QUERY_RUNS} runs each; the same SQL the API builds, run from this process with and without row-level security)`);
log("| filter set | rows | API p50 ms | API p95 ms | SQL with RLS p50 | p95 | SQL without RLS p50 | p95 | RLS / no RLS (p50) | API / no RLS (p50) |");
log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
const serviceIds = new ServiceIds();
const rlsRatios: number[] = [];
for (const [name, params] of cases) {
  const qs = new URLSearchParams(params).toString();
  const apiTimes: number[] = [];
  const sqlTimes: number[] = [];
  const rlsTimes: number[] = [];
  let rows = 0;
  for (let i = 0; i < QUERY_RUNS; i++) {
    const t0 = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/logs?${qs}`, { headers: { authorization: `Bearer ${viewerKey}` } });
    const body = (await res.json()) as { items: unknown[] };
    apiTimes.push(performance.now() - t0);
    rows = body.items.length;
    const planned = planLogsQuery(LogsQuery.parse(params), new Date());
    if (!planned.ok) throw new Error(`bad case ${name}`);
    const svcIds = planned.plan.services ? [...(await serviceIds.find(sql, planned.plan.services)).values()] : undefined;
    const query = buildLogsQuery(db, { ...planned.plan, snapshotId: Number.MAX_SAFE_INTEGER }, svcIds).toSQL();
    const t1 = performance.now();
    const plain = await sql.unsafe(query.sql, query.params as never[]);
    sqlTimes.push(performance.now() - t1);
    const t2 = performance.now();
    const got = await asActor(appSql, { kind: "user", userId: viewer!.id, name: "bench-viewer", role: "viewer", keyPrefix: "bench" }, ({ sql: tx }) => tx.unsafe(query.sql, query.params as never[]));
    rlsTimes.push(performance.now() - t2);
    if (got.length !== plain.length) throw new Error(`${name}: ${got.length} rows under row-level security, ${plain.length} without`);
  }
  rlsRatios.push(quantile(rlsTimes, 50) / quantile(sqlTimes, 50));
  log(`| ${name} | ${rows} | ${pct(apiTimes, 50)} | ${pct(apiTimes, 95)} | ${pct(rlsTimes, 50)} | ${pct(rlsTimes, 95)} | ${pct(sqlTimes, 50)} | ${pct(sqlTimes, 95)} | ${(quantile(rlsTimes, 50) / quantile(sqlTimes, 50)).toFixed(2)} | ${(quantile(apiTimes, 50) / quantile(sqlTimes, 50)).toFixed(2)} |`);
}
log(`\nrow-level security cost, median over the filter sets: ${quantile(rlsRatios, 50).toFixed(2)}× the same SQL without it`);

// A deep page must cost what the first does (keyset, not OFFSET).
const deep: number[][] = [];
let cursor: string | null = null;
for (let pageNo = 1; pageNo <= 200 && (pageNo === 1 || cursor); pageNo++) {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/logs?service=svc-05&limit=100${cursor ? `&cursor=${cursor}` : ""}`, { headers: { authorization: `Bearer ${viewerKey}` } });
  const body = (await res.json()) as { next_cursor: string | null };
  deep.push([pageNo, performance.now() - t0]);
  cursor = body.next_cursor;
}
const firstPages = deep.slice(0, 10).map(([, t]) => t!);
const lastPages = deep.slice(-10).map(([, t]) => t!);
log("");
log(`## Deep pages (one service, 100 per page, ${deep.length} pages followed by cursor)`);
log(`pages 1-10 p50 ${pct(firstPages, 50)} ms; pages ${deep.length - 9}-${deep.length} p50 ${pct(lastPages, 50)} ms; ratio ${(quantile(lastPages, 50) / quantile(firstPages, 50)).toFixed(2)}`);

// --- ingest by format -----------------------------------------------------------------
// The same events through each wire format, FORMAT_EVENTS of them, into an empty table each
// time, against raw batched COPY of the same rows in this run.
const FORMAT_EVENTS = Math.min(EVENTS, Number(process.env.FORMAT_EVENTS ?? 200_000));
const formatBatches = batches.slice(0, Math.ceil(FORMAT_EVENTS / BATCH));
const formatCount = formatBatches.reduce((n, b) => n + b.length, 0);
await sql`TRUNCATE log_events`;
const copyFormat = await timed(() => inParallel(formatBatches, CONCURRENCY, copyRows));
log("");
log(`## Ingest by format (${formatCount.toLocaleString("en")} events, ${BATCH}-event batches × ${CONCURRENCY})`);
log("| format | endpoint | events/s | vs Failsight JSON | vs batched COPY |");
log("|---|---|---:|---:|---:|");
log(`| raw COPY (baseline) | | ${Math.round(formatCount / copyFormat).toLocaleString("en")} | | 1.00 |`);
let nativeSeconds = 0;
for (const format of FORMAT_BODIES) {
  await sql`TRUNCATE log_events`;
  const encoded = formatBatches.map((b) => format.body(b));
  const seconds = await timed(() =>
    inParallel(encoded, CONCURRENCY, async (body) => {
      const res = await fetch(`http://127.0.0.1:${port}${format.path}`, { method: "POST", headers: { "content-type": format.contentType, authorization: `Bearer ${ingestKey}` }, body });
      if (res.status !== format.ok) throw new Error(`${format.name} answered ${res.status}: ${await res.text()}`);
    }),
  );
  const [{ stored }] = (await sql`SELECT count(*)::int AS stored FROM log_events`) as unknown as [{ stored: number }];
  if (stored !== formatCount) throw new Error(`${format.name}: expected ${formatCount} rows, found ${stored}`);
  if (!nativeSeconds) nativeSeconds = seconds;
  log(`| ${format.name} | \`${format.path}\` | ${Math.round(formatCount / seconds).toLocaleString("en")} | ${(nativeSeconds / seconds).toFixed(2)} | ${(copyFormat / seconds).toFixed(2)} |`);
}

api.kill("SIGTERM");
await new Promise((r) => api.once("exit", r));
await sql.end();
await appSql.end();
await database.drop();
await admin.end();
await embedded?.stop();

// --- helpers --------------------------------------------------------------------------
async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (next < items.length) await work(items[next++]!); }));
}
function quantile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
function pct(values: number[], p: number) {
  return quantile(values, p).toFixed(1);
}
async function waitFor(target: string) {
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(target)).ok) return; } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${target} did not answer`);
}
