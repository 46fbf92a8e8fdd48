import { createKey } from "../../app/access/api-keys.ts";
import { createTeam, createUser } from "../../app/access/repository.ts";
import type { LogEvent } from "../../app/domain/log-event.ts";
import { ROLLUP_COLUMNS, rollupSql } from "../../app/rollups/rollup-sql.ts";
import { seededRandom } from "../../app/test-support/seeded-random.ts";
import type { Target } from "./target.ts";

export const SERVICES = Array.from({ length: 50 }, (_, i) => `svc-${String(i).padStart(2, "0")}`);
export const ROUTES = ["/orders/:id", "/cart", "/pay", "/users/:id", "/search"];
const CHUNK = 1_000_000;

export type Fixture = { viewerKey: string; adminKey: string; ingestKey: string; viewerId: number; serviceIds: Map<string, number> };

/**
 * `events` events over the last `days` days across SERVICES, generated inside PostgreSQL
 * (10M objects would not fit a Node heap), with their roll-ups built by the same
 * aggregation ingest runs. A team owns every service and a viewer is in it, so a viewer's
 * query returns what the superuser's does and only the cost differs.
 */
export async function loadFixture(target: Target, events: number, days: number, progress: (line: string) => void): Promise<Fixture> {
  const { superSql: sql, systemSql } = target;
  await createTeam(systemSql, "bench-team");
  await sql`INSERT INTO services (name, owner_team) SELECT unnest(${SERVICES}::text[]), 'bench-team'`;
  const serviceIds = new Map((await sql<{ id: number; name: string }[]>`SELECT id, name FROM services`).map((r) => [r.name, r.id]));
  const ids = SERVICES.map((s) => serviceIds.get(s)!);
  await createUser(systemSql, "bench-viewer", "viewer", ["bench-team"]);
  await createUser(systemSql, "bench-admin", "admin", []);
  const viewerKey = (await createKey(systemSql, { name: "bench viewer", user: "bench-viewer" }))!.key;
  const adminKey = (await createKey(systemSql, { name: "bench admin", user: "bench-admin" }))!.key;
  const ingestKey = (await createKey(systemSql, { name: "bench ingest", services: SERVICES }))!.key;
  const [viewer] = await systemSql<{ id: number }[]>`SELECT id FROM users WHERE name = 'bench-viewer'`;

  await sql`SELECT setseed(0.42)`;
  for (let from = 1; from <= events; from += CHUNK) {
    const to = Math.min(events, from + CHUNK - 1);
    const started = performance.now();
    // In time order, as events arrive (a minute of jitter); latency log-normal around 33 ms
    // (Box-Muller); 2% 503, 2% 500, 6% 404.
    await sql`
      INSERT INTO log_events (ts, service_id, level, message, http_method, http_route, http_status, error_code, latency_ms, trace_id, attributes)
      SELECT now() - make_interval(secs => (${events} - i)::float8 / ${events} * ${days} * 86400 + random() * 60), (${ids}::int[])[1 + i % ${ids.length}],
             (CASE WHEN st >= 500 THEN 'error' WHEN st = 404 THEN 'warn' ELSE 'info' END)::severity,
             CASE WHEN st >= 500 THEN 'upstream timeout calling payments (attempt ' || i % 3 || ')' ELSE 'handled request ' || i END,
             'GET', (${ROUTES}::text[])[1 + i % ${ROUTES.length}], st,
             CASE st WHEN 503 THEN 'E_UPSTREAM_TIMEOUT' WHEN 500 THEN 'E_INTERNAL' END,
             round(exp(3.5 + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::numeric, 2)::float8,
             md5(i::text), jsonb_build_object('region', CASE WHEN i % 2 = 1 THEN 'eu-west-1' ELSE 'us-east-1' END)
      FROM (SELECT i, random() AS r FROM generate_series(${from}::int, ${to}::int) i) g,
           LATERAL (SELECT CASE WHEN r < 0.02 THEN 503 WHEN r < 0.04 THEN 500 WHEN r < 0.1 THEN 404 ELSE 200 END AS st) s`;
    progress(`  loaded ${to.toLocaleString("en")} of ${events.toLocaleString("en")} events (${((performance.now() - started) / 1000).toFixed(1)} s for this million)`);
  }
  const started = performance.now();
  await sql.unsafe(`INSERT INTO log_rollups (${ROLLUP_COLUMNS.join(", ")}, compacted) SELECT *, true FROM (${rollupSql("log_events")}) r`);
  progress(`  rolled up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await sql`VACUUM ANALYZE`;
  return { viewerKey, adminKey, ingestKey, viewerId: viewer!.id, serviceIds };
}

/**
 * Live events as native JSON bodies of `batch` events each, stamped when sent: `body(now)`
 * gives each event its own offset of up to ten seconds before `now`, as liveEvents does at
 * the time it is called. For bodies sent again and again over a run (the mixed-load
 * phases). Sent with the timestamps they were made with, 400,000 events went in 2-3 times
 * over in one ten-second window, each time in random order, which no live stream does: it
 * doubled the INSERT's time (64 -> 128 ms per 5,000 events), scattered a service's newest
 * rows over the heap (a 1,000-row page: 17 -> 29 ms alone, p95 203 ms beside ingest), and
 * set the mixed-load figures (#15, 1M events, PG15).
 */
export function liveBodies(count: number, seed: number, batch: number): { body: (now: number) => string }[] {
  const events = liveEvents(count, seed);
  const madeAt = Date.now();
  // A string no event holds, where each timestamp goes; split at as JSON writes it.
  const marker = "\u0000timestamp\u0000";
  return Array.from({ length: Math.ceil(count / batch) }, (_, b) => {
    const some = events.slice(b * batch, (b + 1) * batch);
    const before = some.map((e) => madeAt - e.timestamp.getTime());
    // The body's text around its timestamps, made once; a send only fills them in.
    const pieces = JSON.stringify(some.map((e) => ({ ...e, timestamp: marker }))).split(JSON.stringify(marker));
    return {
      body: (now: number) => {
        let text = pieces[0]!;
        for (let i = 0; i < before.length; i++) text += `"${new Date(now - before[i]!).toISOString()}"${pieces[i + 1]}`;
        return text;
      },
    };
  });
}

/** Events for the ingest runs: from the last ten seconds, as a shipper sends live traffic. */
export function liveEvents(count: number, seed: number): LogEvent[] {
  const rand = seededRandom(seed);
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const r = rand();
    const status = r < 0.02 ? 503 : r < 0.04 ? 500 : r < 0.1 ? 404 : 200;
    return {
      service: SERVICES[i % SERVICES.length]!,
      timestamp: new Date(now - Math.floor(rand() * 10_000)),
      level: status >= 500 ? "error" : status === 404 ? "warn" : "info",
      message: status >= 500 ? `upstream timeout calling payments (attempt ${i % 3})` : `handled request ${i}`,
      method: "GET",
      route: ROUTES[i % ROUTES.length]!,
      status,
      ...(status >= 500 ? { error_code: status === 503 ? "E_UPSTREAM_TIMEOUT" : "E_INTERNAL" } : {}),
      latency_ms: Math.round(Math.exp(3.5 + Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())) * 100) / 100,
      trace_id: (i * 2654435761).toString(16).padStart(32, "0").slice(-32),
      attributes: { region: i % 2 ? "eu-west-1" : "us-east-1" },
    };
  });
}
