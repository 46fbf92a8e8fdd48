// Two API builds on one loaded database, taking turns: `npm run bench:ab -- a/api.js b/api.js`
//
// A whole bench run of each build compares two machines as much as two builds: on this
// two-core machine raw COPY moved 32k-46k events/s between runs of the same code, and a
// mixed phase's p95 104-152 ms (#15). Here both builds run against the same database, one
// phase at a time, in mirrored order each round (a, b, then b, a), so drift and the
// growing table fall on both. Each phase starts from a database at rest:
//   ingest: INGEST_EVENTS live events through POST /v1/logs at 1 and 4 clients (events/s,
//           and the CPU per event of the API and of every postgres process);
//   mixed:  MIXED_SECONDS of 4 clients ingesting as fast as answered beside 20 readers
//           asking once a second each (/logs filter sets and /status windows, as a viewer):
//           the readers' p50 and p95, and ingest's rate against the build's solo rate.
// Builds are the compiled entry points (`npm run build`; for an older commit, build it in
// a `git worktree` with node_modules linked), each with node flags of its own if quoted
// with them ("dist/app/main/api.js --no-memory-reducer"). EVENTS (default 1m) sizes the fixture,
// ROUNDS (default 4) the turns, AB_SECTIONS=ingest,mixed picks phases; DATABASE_URL (a
// superuser URL) runs on that server, otherwise on an embedded one.
import { startApiProcess, type ApiProcess } from "./lib/api-process.ts";
import { liveBodies, loadFixture, type Fixture } from "./lib/fixture.ts";
import { request } from "./lib/http-client.ts";
import { mergeAllRollups } from "./lib/merge-rollups.ts";
import { postgresCpuSeconds } from "./lib/proc.ts";
import { runQueryClients } from "./lib/query-clients.ts";
import { MIXED_PATHS } from "./lib/read-cases.ts";
import { count, quantile } from "./lib/stats.ts";
import { openTarget, type Target } from "./lib/target.ts";

const builds = process.argv.slice(2).filter((a) => !a.startsWith("--"));
if (builds.length < 2) throw new Error("usage: npm run bench:ab -- <api.js of build a> <api.js of build b> ...");
const EVENTS = count(process.env.EVENTS ?? "1m");
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const INGEST_EVENTS = count(process.env.INGEST_EVENTS ?? "100k");
const MIXED_SECONDS = Number(process.env.MIXED_SECONDS ?? 20);
const SECTIONS = (process.env.AB_SECTIONS ?? "ingest,mixed").split(",");
const BATCH = 5_000;

type Tally = { events: number; seconds: number; apiCpu: number; dbCpu: number };
type Totals = { ingest: Map<number, Tally>; mixedShare: number[]; reads: number[] };

const target = await openTarget("ab", process.env.DATABASE_URL, 2);
const apis: ApiProcess[] = [];
try {
  const fixture = await loadFixture(target, EVENTS, 60, () => {});
  for (const build of builds) {
    const [entry, ...flags] = build.split(" ").filter(Boolean);
    apis.push(await startApiProcess(target, entry, flags));
  }
  const totals: Totals[] = builds.map(() => ({ ingest: new Map(), mixedShare: [], reads: [] }));
  const bodies = liveBodies(400_000, 11, BATCH);
  let next = 0;
  const ingestUntil = (api: ApiProcess, clients: number, done: () => boolean) =>
    Promise.all(
      Array.from({ length: clients }, async () => {
        let sent = 0;
        while (!done()) {
          const res = await request(`${api.base}/v1/logs`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${fixture.ingestKey}` }, body: bodies[next++ % bodies.length]!.body(Date.now()) });
          if (res.status !== 200) throw new Error(`POST /v1/logs answered ${res.status}: ${res.text}`);
          sent += BATCH;
        }
        return sent;
      }),
    ).then((sent) => sent.reduce((a, b) => a + b, 0));

  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...apis.keys()].reverse() : [...apis.keys()];
    for (const i of order) {
      const api = apis[i]!;
      const line: string[] = [];
      let solo = 0;
      for (const clients of SECTIONS.includes("ingest") ? [1, 4] : []) {
        await atRest(target);
        const before = { api: api.cpuSeconds(), db: postgresCpuSeconds(), at: performance.now() };
        let batches = 0;
        const events = await ingestUntil(api, clients, () => batches++ * BATCH >= INGEST_EVENTS);
        await mergeAllRollups(target.systemSql);
        const run = { events, seconds: (performance.now() - before.at) / 1000, apiCpu: api.cpuSeconds() - before.api, dbCpu: postgresCpuSeconds() - before.db };
        add(totals[i]!.ingest, clients, run);
        solo = run.events / run.seconds;
        line.push(`x${clients} ${Math.round(solo)} events/s, API ${micros(run.apiCpu, run.events)} µs/event, database ${micros(run.dbCpu, run.events)}`);
      }
      if (SECTIONS.includes("mixed")) {
        await atRest(target);
        const until = Date.now() + MIXED_SECONDS * 1000;
        const started = performance.now();
        const [ingested, reads] = await Promise.all([
          ingestUntil(api, 4, () => Date.now() >= until).then((n) => n / ((performance.now() - started) / 1000)),
          runQueryClients({ base: api.base, key: fixture.viewerKey, paths: MIXED_PATHS, clients: 20, until, paceMs: 1_000 }),
        ]);
        const times = reads.byPath.flatMap(([, t]) => t);
        totals[i]!.reads.push(...times);
        if (solo) totals[i]!.mixedShare.push(ingested / solo);
        line.push(`mixed: reads p50 ${quantile(times, 50).toFixed(0)} ms, p95 ${quantile(times, 95).toFixed(0)}, ingest ${Math.round(ingested)} events/s${solo ? ` (${(ingested / solo).toFixed(2)}x solo)` : ""}`);
      }
      console.log(`round ${round + 1}, ${builds[i]}: ${line.join("; ")}`);
    }
  }
  console.log(`\n# ${ROUNDS} rounds, ${EVENTS.toLocaleString("en")} events loaded, PostgreSQL ${target.version}`);
  for (const [i, t] of totals.entries()) {
    const parts = [...t.ingest].map(([clients, r]) => `x${clients} ${Math.round(r.events / r.seconds)} events/s, API ${micros(r.apiCpu, r.events)} µs/event, database ${micros(r.dbCpu, r.events)}`);
    if (t.reads.length) parts.push(`mixed reads p50 ${quantile(t.reads, 50).toFixed(0)} ms, p95 ${quantile(t.reads, 95).toFixed(0)}${t.mixedShare.length ? `, ingest ${mean(t.mixedShare).toFixed(2)}x solo` : ""}`);
    console.log(`${builds[i]}: ${parts.join("; ")}`);
  }
} finally {
  for (const api of apis) await api.stop();
  await target.close();
}

/** Partial roll-ups merged, vacuumed, checkpointed: no phase pays for the one before. */
async function atRest(t: Target) {
  await mergeAllRollups(t.systemSql);
  await t.settle();
}

function add(into: Map<number, Tally>, clients: number, run: Tally) {
  const sum = into.get(clients) ?? { events: 0, seconds: 0, apiCpu: 0, dbCpu: 0 };
  into.set(clients, { events: sum.events + run.events, seconds: sum.seconds + run.seconds, apiCpu: sum.apiCpu + run.apiCpu, dbCpu: sum.dbCpu + run.dbCpu });
}

function micros(cpuSeconds: number, events: number) {
  return ((cpuSeconds / events) * 1e6).toFixed(1);
}

function mean(xs: number[]) {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
