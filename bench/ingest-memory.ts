// Benchmark, not a test: `npm run bench:memory`. The API's resident memory (RSS) as a
// separate process, idle, under 50 concurrent ingest clients sending 1,000-event batches,
// under 40 concurrent 5 KB gzip bodies that expand to 5 MiB of `{}` items, and after the
// load. On the embedded PostgreSQL, or DATABASE_URL (a superuser URL) when set.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import postgres from "postgres";
import { generateKey } from "../app/access/key-format.ts";
import { startEmbeddedPostgres } from "../app/db/embedded.ts";
import { createProductionLikeDatabase } from "../app/db/roles.ts";
import { PARSE_WORKER_IDLE_STOP_MS } from "../app/ingest/parse-pool.ts";
import { freePort } from "../app/test-support/free-port.ts";
import { imageApiFlags, imageNodeOptions } from "../app/test-support/image-node-options.ts";
import { processRssMiB } from "./lib/proc.ts";

const CLIENTS = Number(process.env.CLIENTS ?? 50);
const SECONDS = Number(process.env.SECONDS ?? 20);
const BOMBS = Number(process.env.BOMBS ?? 40);

const embedded = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dataDir: path.join(mkdtempSync(path.join(tmpdir(), "failsight-bench-")), "pgdata"), port: await freePort(), persistent: false });
const adminUrl = process.env.DATABASE_URL ?? embedded!.url;
const dbName = `failsight_membench_${Date.now().toString(36)}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
const database = await createProductionLikeDatabase(admin, adminUrl, dbName, "bench");
const { ownerUrl: url, runtimeUrl } = database;

const port = await freePort();
const key = generateKey().key;
const entry = (name: string) => fileURLToPath(new URL(`../app/main/${name}.ts`, import.meta.url));
// API_BUILD=dist measures the compiled API the image runs (`npm run build` first); by
// default the sources, as `npm start` runs them (Node's type stripping costs some memory).
const apiEntry = process.env.API_BUILD === "dist" ? fileURLToPath(new URL("../dist/app/main/api.js", import.meta.url)) : entry("api");
// API_NODE_OPTIONS, MALLOC_ARENA_MAX and INGEST_INFLIGHT_MIB reach the API, to compare settings.
const passed = Object.fromEntries(["MALLOC_ARENA_MAX", "INGEST_INFLIGHT_MIB", "INGEST_CONCURRENCY", "INGEST_PARSE_WORKERS"].filter((k) => process.env[k]).map((k) => [k, process.env[k]!]));
// NODE_OPTIONS as the Dockerfile runs the API, unless API_NODE_OPTIONS says otherwise.
const nodeOptions = process.env.API_NODE_OPTIONS ?? imageNodeOptions();
const env = { PATH: process.env.PATH, ...passed, NODE_OPTIONS: nodeOptions, DATABASE_URL: runtimeUrl, OWNER_DATABASE_URL: url, PORT: String(port), HOST: "127.0.0.1", FAILSIGHT_ADMIN_KEY: key, LOG_LEVEL: "warn" };
await new Promise((resolve, reject) => spawn(process.execPath, [entry("migrate")], { env: { ...env, DATABASE_URL: url }, stdio: "inherit" }).once("exit", (code) => (code === 0 ? resolve(code) : reject(new Error(`migrate exited ${code}`)))));
// The image's command-line flags, then API_EXEC_ARGV's (the later of a repeated V8 flag wins).
const flags = [...imageApiFlags(), ...(process.env.API_EXEC_ARGV?.split(" ").filter(Boolean) ?? [])];
const api = spawn(process.execPath, [...flags, apiEntry], { env, stdio: ["ignore", "inherit", "inherit"] });
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/ready`)).ok) break;
  } catch {}
  if (i > 300) throw new Error("API did not come up");
  await new Promise((r) => setTimeout(r, 100));
}
const rssMiB = () => processRssMiB(api.pid!);
const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };

async function sampleWhile<T>(work: Promise<T>): Promise<{ peak: number; result: T }> {
  let peak = rssMiB();
  const timer = setInterval(() => (peak = Math.max(peak, rssMiB())), 50);
  const result = await work;
  clearInterval(timer);
  return { peak: Math.max(peak, rssMiB()), result };
}

await new Promise((r) => setTimeout(r, 2_000));
const idle = rssMiB();

const batch = JSON.stringify(Array.from({ length: 1_000 }, (_, i) => ({ service: `mem-${i % 20}`, level: i % 10 ? "info" : "error", status: i % 10 ? 200 : 503, latency_ms: i % 300, message: `request ${i} handled`, attributes: { region: "eu-west-1", i } })));
const statuses = new Map<number, number>();
const until = Date.now() + SECONDS * 1000;
const clients = sampleWhile(
  Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < until) {
        const res = await fetch(`${base}/v1/logs`, { method: "POST", headers, body: batch });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 429) await new Promise((r) => setTimeout(r, 200));
      }
    }),
  ),
);
const load = await clients;

const bomb = gzipSync(Buffer.from(`[${"{},".repeat(1_700_000)}{}]`));
const bombStatuses = new Map<number, number>();
const bombs = await sampleWhile(
  Promise.all(
    Array.from({ length: BOMBS }, async () => {
      const res = await fetch(`${base}/v1/logs`, { method: "POST", headers: { ...headers, "content-encoding": "gzip" }, body: bomb });
      await res.arrayBuffer();
      bombStatuses.set(res.status, (bombStatuses.get(res.status) ?? 0) + 1);
    }),
  ),
);
await new Promise((r) => setTimeout(r, 5_000));
const after = rssMiB();
// Once the parse workers have stopped for want of work, their heaps given back.
await new Promise((r) => setTimeout(r, PARSE_WORKER_IDLE_STOP_MS + 5_000));
const longAfter = rssMiB();
const accepted = (statuses.get(200) ?? 0) * 1_000;

console.log(`| API RSS (MiB), ${process.env.API_BUILD === "dist" ? "compiled (dist/)" : "sources"}, NODE_OPTIONS=${nodeOptions}, flags ${flags.join(" ")} | value |`);
console.log(`| idle | ${idle.toFixed(0)} |`);
console.log(`| peak, ${CLIENTS} clients × 1,000-event batches for ${SECONDS} s (${(accepted / SECONDS).toFixed(0)} events/s accepted; answers ${JSON.stringify(Object.fromEntries(statuses))}) | ${load.peak.toFixed(0)} |`);
console.log(`| peak, ${BOMBS} concurrent ${(bomb.length / 1024).toFixed(1)} KB gzip bodies of 1.7M {} (answers ${JSON.stringify(Object.fromEntries(bombStatuses))}) | ${bombs.peak.toFixed(0)} |`);
console.log(`| 5 s after the load | ${after.toFixed(0)} |`);
console.log(`| ${PARSE_WORKER_IDLE_STOP_MS / 1000 + 10} s after the load (parse workers stopped) | ${longAfter.toFixed(0)} |`);

// Where the resident memory is, from the API's own /metrics (prom-client's process metrics).
const metrics = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${key}` } })).text();
const mib = (name: string) => [...metrics.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, "gm"))].map((m) => `${m[1] ?? ""} ${(Number(m[2]) / 1048576).toFixed(1)}`).join(", ");
console.log(`\nafter the load, MiB: heap total ${mib("nodejs_heap_size_total_bytes")}; heap used ${mib("nodejs_heap_size_used_bytes")}; external ${mib("nodejs_external_memory_bytes")}`);
console.log(`heap spaces (total): ${mib("nodejs_heap_space_size_total_bytes")}`);

api.kill("SIGTERM");
await new Promise((r) => api.once("exit", r));
await database.drop();
await admin.end();
await embedded?.stop();
