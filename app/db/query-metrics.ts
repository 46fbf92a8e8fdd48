import { Gauge, Histogram } from "prom-client";
import type { Sql } from "./client.ts";
import { registry } from "../metrics/registry.ts";

const registers = [registry];
const duration = new Histogram({
  name: "failsight_db_query_duration_seconds",
  help: "Time the API's database work took, by operation (ingest_insert, logs_query, status_query).",
  labelNames: ["operation"] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers,
});
const inFlight = new Gauge({ name: "failsight_db_operations_in_flight", help: "Database operations under way in this process: how much of the pool is in use.", registers });
const poolMax = new Gauge({ name: "failsight_db_pool_max_connections", help: "Connections this process's pool may open (DB_POOL_MAX).", registers });

/** Times one database operation and counts it in flight while it runs. */
export async function timed<T>(operation: string, work: () => Promise<T>): Promise<T> {
  const end = duration.startTimer({ operation });
  inFlight.inc();
  try {
    return await work();
  } finally {
    inFlight.dec();
    end();
  }
}

/** `failsight_db_up`: whether the database answers `SELECT 1` within 2 s, asked at every scrape. */
export function watchDatabase(sql: Sql, maxConnections: number) {
  poolMax.set(maxConnections);
  registry.removeSingleMetric("failsight_db_up");
  new Gauge({
    name: "failsight_db_up",
    help: "1 when the database answered SELECT 1 within 2 seconds at scrape time, else 0.",
    registers,
    async collect() {
      const probe = sql`SELECT 1`.then(() => 1).catch(() => 0);
      const timeout = new Promise<number>((resolve) => setTimeout(() => resolve(0), 2_000).unref());
      this.set(await Promise.race([probe, timeout]));
    },
  });
}
