import snappy from "snappyjs";
import { afterAll, describe, expect, it } from "vitest";
import { messageType } from "./formats/protobuf.ts";
import { lokiJson, lokiProtobuf } from "./formats/loki.ts";
import { nativeJson, nativeNdjson } from "./formats/native-json.ts";
import { otlpJson } from "./formats/otlp.ts";
import type { EventColumns } from "./event-columns.ts";
import type { ParseJob, ParseOutcome } from "./parse-job.ts";
import { inlineParser, ParsePool, WORKER_SEMI_SPACE_MB } from "./parse-pool.ts";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { getPriority, tmpdir } from "node:os";
import path from "node:path";
import { imageNodeOptions } from "../test-support/image-node-options.ts";
import { PARSE_WORKER_NICE } from "./worker-priority.ts";

// Bodies parsed in a real worker thread (the sources, loaded as the API loads them) give
// exactly what parsing on the event loop gives: events in the same columns, refusals with
// their field errors, and a RequestError raised inside a parser.
const pool = new ParsePool(2);
afterAll(() => pool.close());
const job = (format: string, body: string | Uint8Array, extra: Partial<ParseJob> = {}): ParseJob => ({
  format,
  body: Buffer.from(body),
  receivedAt: new Date("2026-11-25T10:00:00Z"),
  lenient: false,
  serviceLabels: ["service_name", "service", "app", "job"],
  allowance: 1 << 20,
  ...extra,
});
const otlp = { resourceLogs: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "checkout" } }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: "1764064800000000000", severityText: "ERROR", body: { stringValue: "boom" } }] }] }] };
const push = messageType("loki/push.proto", "logproto.PushRequest").encode({ streams: [{ labels: '{service="cart"}', entries: [{ timestamp: { seconds: 1764064800, nanos: 0 }, line: "hello" }] }] }).finish();

/** An outcome with the literals a worker moved as bytes read back as text, as the inline parser gives them. */
function inText(outcome: ParseOutcome): ParseOutcome {
  if (!outcome.ok || !outcome.parsed.ok) return outcome;
  const decoded = Object.entries(outcome.parsed.columns).map(([name, value]) => [name, value instanceof Uint8Array ? new TextDecoder().decode(value) : value]);
  return { ...outcome, parsed: { ...outcome.parsed, columns: Object.fromEntries(decoded) as EventColumns } };
}

describe("ParsePool", () => {
  const cases: [string, ParseJob][] = [
    ["native JSON", job(nativeJson.name, JSON.stringify([{ service: "a", timestamp: "2026-11-25T09:59:00.123Z", level: "warn", latency_ms: 12.5, attributes: { k: [1, { x: null }] } }, { service: "b" }]))],
    ["native JSON, refused", job(nativeJson.name, JSON.stringify([{ service: "" }, { level: "loud" }]))],
    ["malformed JSON", job(nativeJson.name, "[{")],
    ["NDJSON, lenient", job(nativeNdjson.name, '{"service":"a","msg":"hi","extra":1}\n{"service":"b"}\n', { lenient: true })],
    ["OTLP/JSON", job(otlpJson.name, JSON.stringify(otlp))],
    ["Loki JSON", job(lokiJson.name, JSON.stringify({ streams: [{ stream: { service: "cart" }, values: [["1764064800000000000", "hi"]] }] }))],
    ["Loki protobuf", job(lokiProtobuf.name, snappy.compress(push))],
    ["Loki protobuf over the byte budget", job(lokiProtobuf.name, snappy.compress(push), { allowance: 1 })],
  ];
  for (const [name, parse] of cases) {
    it(`parses ${name} in a worker as on the event loop`, async () => {
      const inWorker = await pool.parse(parse);
      expect(inText(inWorker)).toEqual(await inlineParser.parse(parse));
      if (inWorker.ok && inWorker.parsed.ok) {
        for (const [, seconds] of inWorker.parsed.columns.tally.latencies) expect(seconds).toBeInstanceOf(Float64Array);
        // Moved as bytes, not copied as strings (event-columns.ts movedAsBytes).
        expect(inWorker.parsed.columns.message).toBeInstanceOf(Uint8Array);
      }
    });
  }

  it("carries what a parser raised, and what it decompressed, back from the worker", async () => {
    const read = inText(await pool.parse(cases[6]![1]));
    expect(read).toMatchObject({ ok: true, parsed: { ok: true, columns: { count: 1, services: ["cart"], message: '{"hello"}' } } });
    expect(read.ok && read.taken).toBeGreaterThan(0);
    expect(await pool.parse(cases[7]![1])).toMatchObject({ ok: false, error: { code: "too-many-requests" } });
  });

  it("parses the largest body ingest takes within the worker's bounded heap", async () => {
    // 5,000 events of ~900 bytes: near MAX_BODY_BYTES and at MAX_BATCH_EVENTS.
    const events = Array.from({ length: 5_000 }, (_, i) => ({ service: `s${i % 50}`, message: "x".repeat(850), attributes: { i, region: "eu-west-1" } }));
    const outcomes = await Promise.all([1, 2, 3].map(() => pool.parse(job(nativeJson.name, JSON.stringify(events)))));
    for (const o of outcomes) expect(o.ok && o.parsed.ok && o.parsed.columns.count).toBe(5_000);
  });

  it("moves a body that is the whole of its buffer to the worker, and copies one that shares a buffer", async () => {
    const text = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ service: "moved", message: `event ${i}` })));
    const own = Buffer.from(new TextEncoder().encode(text).buffer);
    const shared = Buffer.from(`${text}      `).subarray(0, text.length);
    const sharedBefore = shared.toString();
    for (const body of [own, shared]) {
      const outcome = await pool.parse(job(nativeJson.name, Buffer.alloc(0), { body }));
      expect(outcome.ok && outcome.parsed.ok && outcome.parsed.columns.count).toBe(200);
    }
    // Moved: the event loop's view of it is gone; copied: untouched.
    expect(own.buffer.byteLength).toBe(0);
    expect(shared.toString()).toBe(sharedBefore);
  });

  it("gives its workers their own young generation, under the image's heap flags, and leaves the event loop's as it was", () => {
    // In a process started as the image starts the API: the flags V8 would otherwise give every isolate.
    const script = `
      import { Worker } from "node:worker_threads";
      import { getHeapStatistics } from "node:v8";
      import { ParsePool } from ${JSON.stringify(new URL("./parse-pool.ts", import.meta.url).href)};
      const pool = new ParsePool(1);
      await pool.parse({ format: ${JSON.stringify(nativeJson.name)}, body: Buffer.from('[{"service":"a"}]'), receivedAt: new Date(), lenient: false, serviceLabels: [], allowance: 1 << 20 });
      await pool.close();
      const limit = (w) => new Promise((resolve) => w.once("message", resolve));
      const probe = new Worker("require('node:worker_threads').parentPort.postMessage(require('node:v8').getHeapStatistics().heap_size_limit)", { eval: true });
      console.log(JSON.stringify({ main: getHeapStatistics().heap_size_limit, worker: await limit(probe) }));
      await probe.terminate();
    `;
    const file = path.join(mkdtempSync(path.join(tmpdir(), "failsight-heap-")), "probe.mjs");
    writeFileSync(file, script);
    const run = spawnSync(process.execPath, [...imageNodeOptions().split(" "), file], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    const { main, worker } = JSON.parse(run.stdout) as { main: number; worker: number };
    // A heap's limit is its old generation and three semi-spaces (--max-old-space-size=256 for both).
    const MiB = 1024 * 1024;
    expect({ main: main / MiB, worker: worker / MiB }).toEqual({ main: 256 + 3 * 4, worker: 256 + 3 * WORKER_SEMI_SPACE_MB });
  });

  it("spreads concurrent bodies over its workers and stops them when idle", async () => {
    const bodies = Array.from({ length: 20 }, (_, i) => job(nativeJson.name, JSON.stringify(Array.from({ length: 500 }, () => ({ service: `s${i}` })))));
    const outcomes = await Promise.all(bodies.map((b) => pool.parse(b)));
    expect(outcomes.map((o) => (o.ok && o.parsed.ok ? o.parsed.columns.count : -1))).toEqual(bodies.map(() => 500));
    await pool.close();
    // A closed pool starts workers again for the next body.
    expect((await pool.parse(cases[0]![1])).ok).toBe(true);
  });

  it("stops its workers once they have had nothing to do for a while, and starts one for the next body", async () => {
    const idle = new ParsePool(2, { idleStopMs: 300 });
    try {
      expect((await idle.parse(cases[0]![1])).ok).toBe(true);
      expect(idle.workers).toBe(1);
      await new Promise((r) => setTimeout(r, 150));
      expect(idle.workers).toBe(1);
      // A body within the idle period starts the count again.
      expect((await idle.parse(cases[0]![1])).ok).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      expect(idle.workers).toBe(1);
      for (let i = 0; i < 40 && idle.workers > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(idle.workers).toBe(0);
      expect((await idle.parse(cases[0]![1])).ok).toBe(true);
      expect(idle.workers).toBe(1);
    } finally {
      await idle.close();
    }
  });

  it("parses large bodies that keep arriving alone in halves, on a worker and a spare, as one worker parses them whole", async () => {
    const events = Array.from({ length: 2_000 }, (_, i) => ({ service: `s${i % 7}`, timestamp: "2026-11-25T09:59:00.123Z", status: i % 9 ? 200 : 503, message: `event ${i} of a body worth cutting` }));
    const body = JSON.stringify(events);
    const halving = new ParsePool(1, { spareIdleStopMs: 1_000 });
    try {
      const whole = await halving.parse(job(nativeJson.name, body));
      // The first body alone is parsed whole, and so is the second, which starts the spare without waiting for it.
      await halving.parse(job(nativeJson.name, body), { alone: true });
      expect(halving.workers).toBe(1);
      await halving.parse(job(nativeJson.name, body), { alone: true });
      expect(halving.workers).toBe(2);
      for (let i = 0; i < 100 && !halving.halving; i++) await new Promise((r) => setTimeout(r, 20));
      expect(halving.halved).toBe(0);
      const halves = await halving.parse(job(nativeJson.name, body), { alone: true });
      expect(halving.halved).toBe(1);
      const tallied = (o: ParseOutcome) => {
        const { tally, rollupMinutes, ...columns } = (inText(o) as Extract<ParseOutcome, { ok: true }> & { parsed: { ok: true } }).parsed.columns;
        return { ...columns, cells: rollupMinutes.length, events: tally.requests.reduce((n, [, , k]) => n + k, 0) };
      };
      expect(tallied(halves)).toEqual(tallied(whole));
      // Refused in its second half: the refusal is the whole body's, naming the event by its index in it.
      events[1_990] = { ...events[1_990]!, status: 42 };
      const refused = await halving.parse(job(nativeJson.name, JSON.stringify(events)), { alone: true });
      expect(refused).toMatchObject({ ok: true, parsed: { ok: false, errors: [{ index: 1_990, field: "status" }] } });
      expect(halving.halved).toBe(1);
      // A body that is not alone is parsed whole, and the count starts again.
      await halving.parse(job(nativeJson.name, body));
      await halving.parse(job(nativeJson.name, body), { alone: true });
      expect(halving.halved).toBe(1);
      // The spare, given no half for a while, stops; the pool's worker stays.
      expect(halving.workers).toBe(2);
      for (let i = 0; i < 100 && halving.workers > 1; i++) await new Promise((r) => setTimeout(r, 50));
      expect(halving.workers).toBe(1);
      await halving.close();
      expect(halving.workers).toBe(0);
    } finally {
      await halving.close();
    }
  });

  it.runIf(process.platform === "linux")("parses at the lowest CPU priority, on its own thread only", async () => {
    // A thread's nice value is the 19th field after its name in /proc's stat.
    const nices = () =>
      new Map(readdirSync("/proc/self/task").map((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
        return [tid, Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16])] as const;
      }));
    const before = nices();
    const own = getPriority();
    const lowered = new ParsePool(1);
    try {
      expect((await lowered.parse(cases[0]![1])).ok).toBe(true);
      const started = [...nices()].filter(([tid]) => !before.has(tid));
      expect(started.map(([, nice]) => nice)).toContain(PARSE_WORKER_NICE);
      // The thread that called, here as the event loop's in the API, keeps its priority.
      expect(getPriority()).toBe(own);
      expect(own).toBeLessThan(PARSE_WORKER_NICE);
    } finally {
      await lowered.close();
    }
  });
});
