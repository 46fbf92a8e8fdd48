import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "../../app/test-support/free-port.ts";
import type { Target } from "./target.ts";
import { processCpuSeconds, processRssMiB } from "./proc.ts";
import { imageApiFlags, imageNodeOptions } from "../../app/test-support/image-node-options.ts";

const METRICS_TOKEN = "bench-metrics-token-of-at-least-32-characters";

/**
 * The API as its own process, as deployed: the runtime role for requests, the owner's URL
 * for its jobs (status tracker, roll-up compaction) at their default intervals.
 * API_BUILD=dist runs the compiled API the image runs (`npm run build` first).
 * It runs with the image's NODE_OPTIONS and command-line flags; API_NODE_OPTIONS replaces
 * the former, and API_EXEC_ARGV adds flags after the latter (a repeated V8 flag takes the
 * last value), to compare settings or look inside a run (--trace-gc, --perf-basic-prof).
 * `entry` runs another build's api.js instead: two builds on one database, taking turns,
 * compare far more steadily than two runs of the bench; `flags` go after API_EXEC_ARGV's, so
 * one build can be compared with itself under other V8 settings.
 */
export async function startApiProcess(target: Target, entry?: string, flags: string[] = []) {
  const port = await freePort();
  entry ??= (process.env.API_BUILD === "dist" ? fileURLToPath(new URL("../../dist/app/main/api.js", import.meta.url)) : fileURLToPath(new URL("../../app/main/api.ts", import.meta.url)));
  const child = spawn(process.execPath, [...imageApiFlags(), ...(process.env.API_EXEC_ARGV?.split(" ").filter(Boolean) ?? []), ...flags, entry], {
    env: {
      PATH: process.env.PATH,
      NODE_OPTIONS: process.env.API_NODE_OPTIONS ?? imageNodeOptions(),
      DATABASE_URL: target.runtimeUrl,
      OWNER_DATABASE_URL: target.ownerUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      FAILSIGHT_AUTH: "on",
      METRICS_TOKEN,
      ...Object.fromEntries(["MALLOC_ARENA_MAX", "DB_POOL_MAX", "INGEST_CONCURRENCY", "INGEST_PARSE_WORKERS", "DEPENDENCY_INFERENCE_SECONDS", "ROLLUP_COMPACTION_SECONDS"].filter((k) => process.env[k]).map((k) => [k, process.env[k]!])),
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  const scrape = async () => {
    const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    const timings = new Map<string, { seconds: number; count: number }>();
    for (const m of text.matchAll(/^failsight_(?:db_query|http_request)_duration_seconds_(sum|count)\{([^}]*)\} (\S+)$/gm)) {
      const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(m[2]!)?.[1];
      const what = label("operation") ?? `${label("method")} ${label("route")}`;
      const entry = timings.get(what) ?? { seconds: 0, count: 0 };
      if (m[1] === "sum") entry.seconds += Number(m[3]);
      else entry.count += Number(m[3]);
      timings.set(what, entry);
    }
    return { loopLagP99Ms: Number(/^nodejs_eventloop_lag_p99_seconds (\S+)/m.exec(text)?.[1]) * 1000, timings };
  };
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/ready`)).ok) break;
    } catch {}
    if (i > 600 || child.exitCode !== null) throw new Error("the API did not come up");
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    pid: child.pid!,
    /** Resident memory of the API process, MiB. */
    rssMiB: () => processRssMiB(child.pid!),
    /** CPU seconds the API process has used, all its threads (user + system): steadier than a rate on a shared machine. */
    cpuSeconds: () => processCpuSeconds(child.pid!),
    /** p99 event-loop delay since the previous scrape, ms (prom-client resets it on each scrape). */
    async loopLagP99Ms() {
      return (await scrape()).loopLagP99Ms;
    },
    /**
     * One scrape of /metrics: the p99 event-loop delay since the previous one, and the API's
     * own account of its time so far, seconds and count by what it timed: each database
     * operation (`logs_query`, `status_query`, `ingest_insert`) and each request
     * (`GET /logs`), summed over their other labels. Two scrapes' difference tells where a
     * run's latency went: to the database, to the API, or to before the API read the request.
     */
    scrape,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}
export type ApiProcess = Awaited<ReturnType<typeof startApiProcess>>;
