import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { request } from "./http-client.ts";

/** A mixed-load phase's query clients: who asks what, until when, and how often. */
export type QueryClientsJob = {
  base: string;
  key: string;
  paths: string[];
  clients: number;
  /** Date.now() at which clients stop asking. */
  until: number;
  /** Each client asks once per `paceMs` (from a random point of its first), or as soon as answered when 0. */
  paceMs: number;
};

/** Each path's latencies (ms), and how late the clients' own event loop ran meanwhile. */
export type QueryClientsResult = { byPath: [string, number[]][]; loopP99Ms: number; loopMaxMs: number };

/**
 * Runs the query clients on a thread of their own, as dashboards are processes of their
 * own. Beside the ingest clients on one event loop, each 5,000-event body built and sent
 * there, and the garbage it left, held up the queries' answers: that loop ran p99 35-71 ms
 * and up to 234 ms late in mixed-load phases (#15, 10M events, PG15), where a query's
 * target is 100 ms. On two cores their own thread still runs late when the machine is
 * busy (p99 19-48 ms, max 24-50 in a 100k run); the bench logs both loops' delays.
 */
export function runQueryClients(job: QueryClientsJob): Promise<QueryClientsResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: job });
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the query clients' thread exited with ${code}`)));
  });
}

async function queryClients(job: QueryClientsJob): Promise<QueryClientsResult> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const byPath = new Map<string, number[]>(job.paths.map((path) => [path, []]));
  await Promise.all(
    Array.from({ length: job.clients }, async (_, c) => {
      // Paced clients start at random offsets within their pace, so that they do not all
      // ask at once. Offset after the first request instead, the 20 first requests went
      // out together, and that one burst was 5-10% of a phase's requests: readers alone
      // had p95 109-156 ms, and spread out 26-38 (#15, 1M events, PG15).
      if (job.paceMs) await new Promise((r) => setTimeout(r, job.paceMs * Math.random()));
      for (let i = c; Date.now() < job.until; i++) {
        const path = job.paths[i % job.paths.length]!;
        const started = performance.now();
        // Answered and read, not parsed: parsing a 1,000-row page is the bench's time, not the API's.
        const res = await request(`${job.base}${path}`, { headers: { authorization: `Bearer ${job.key}` } });
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${res.text}`);
        const ms = performance.now() - started;
        byPath.get(path)!.push(ms);
        if (job.paceMs) await new Promise((r) => setTimeout(r, Math.max(0, job.paceMs - ms)));
      }
    }),
  );
  loop.disable();
  return { byPath: [...byPath].filter(([, times]) => times.length > 0), loopP99Ms: loop.percentile(99) / 1e6, loopMaxMs: loop.max / 1e6 };
}

// In the worker: a failure is unhandled there, which ends the thread with an 'error' event.
if (!isMainThread && parentPort) {
  const port = parentPort;
  void queryClients(workerData as QueryClientsJob).then((result) => {
    port.postMessage(result);
    // Its keep-alive connections would hold the thread open.
    process.exit(0);
  });
}
