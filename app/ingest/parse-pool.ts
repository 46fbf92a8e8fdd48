import { availableParallelism } from "node:os";
import { setFlagsFromString } from "node:v8";
import { isMarkedAsUntransferable, Worker } from "node:worker_threads";
import { log } from "../log.ts";
import { runParse, type ParseJob, type ParseOutcome } from "./parse-job.ts";
import { halvesOf, joinHalves } from "./parse-halves.ts";

/** Parses a body: on the event loop (inline) or in a worker thread (ParsePool). */
export type Parser = { parse(job: ParseJob, options?: ParseOptions): Promise<ParseOutcome>; close(): Promise<void> };

export type ParseOptions = {
  /** Nothing else is being ingested: the cores are free, and one batch may take two workers. */
  alone?: boolean;
};

export const inlineParser: Parser = { parse: async (job) => runParse(job), close: async () => {} };


/**
 * How long a worker may sit with nothing to do before it is stopped, its heap given back:
 * after a burst of ingest the API's RSS stayed at its peak (177 MiB, idle 99) for as long
 * as the worker lived; stopped, it fell to 134 within 15 s (#15, bench:memory). Shippers
 * with anything to send flush every few seconds, so a worker idle this long has a quiet
 * source behind it; starting one again costs its next body 140-180 ms.
 */
export const PARSE_WORKER_IDLE_STOP_MS = 30_000;

/**
 * A parse worker's semi-space, MiB: a batch's parsed objects die young in it. With the
 * event loop's 4 MiB they were copied and promoted on every batch, and the worker ran a
 * full GC about every other batch (#15). 8 rather than 16: under 50 ingest clients the
 * API peaked at 182 MiB RSS against 204-207 (bench:memory, 84-88k events/s accepted
 * either way), and the workers' CPU per ingested event stayed within the runs' spread
 * (1 client 3.25 µs against 3.25-3.50, 4 clients 2.85 against 2.60-3.00; 1M, PG15).
 */
export const WORKER_SEMI_SPACE_MB = 8;

/**
 * Sizes the heaps of isolates made from now on: the parse workers'. V8 applies
 * --max-semi-space-size to every isolate, and a worker's resourceLimits do not override it
 * (under the image's NODE_OPTIONS a worker had 4 MiB, whatever resourceLimits said); it
 * reads the flag when it makes an isolate, so setting it after the event loop's isolate
 * exists changes only the workers' (parse-pool.test.ts checks this in a process started
 * with the image's flags). The old generation stays as the process's flags set it.
 */
function sizeWorkerHeaps() {
  setFlagsFromString(`--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`);
}

type Slot = { worker: Worker; pending: Map<number, { resolve: (o: ParseOutcome) => void; reject: (e: Error) => void }>; online: boolean };

/**
 * Bodies in a row that arrived alone before a spare worker is started for halves: a client
 * sending batch after batch, not the first body of a burst. Under 50 clients, a spare
 * started by the burst's first body held ~24 MiB of RSS it never used (bench:memory peak
 * 198 MiB against 174).
 */
const LONE_BODIES_BEFORE_SPARE = 2;

/**
 * How long the spare may go without a half before it is stopped: once the lone client
 * stops, or others join it (then no body arrives alone), the spare's heap is given back
 * long before the pool's own idle stop, which a busy API never reaches. Longer than the
 * few seconds shippers wait between flushes, so one that sends alone keeps it.
 */
export const SPARE_IDLE_STOP_MS = 10_000;

/**
 * Worker threads that parse and validate ingest bodies, so the API's event loop only
 * writes batches and answers: a 5,000-event body is tens of milliseconds of JSON.parse and
 * validation, during which no other request is served (INGEST_PARSE_WORKERS). Workers start
 * on the first body and stop after PARSE_WORKER_IDLE_STOP_MS without one, so an idle API holds none. A
 * job goes to the worker with the fewest in flight; a worker that dies fails its jobs and
 * is replaced on the next one.
 *
 * A client that sends batch after batch alone waits for each one's parse and then its
 * INSERT, and PostgreSQL leaves both cores idle while it parses. So once bodies have come
 * alone LONE_BODIES_BEFORE_SPARE times in a row, a spare worker starts (not waited for:
 * the body that starts it is parsed whole), and from then on a lone body its format can
 * cut (parse-halves.ts) is parsed in halves, one on a worker and one on the spare.
 */
export class ParsePool implements Parser {
  private readonly size: number;
  private readonly slots: Slot[] = [];
  /** The worker that parses second halves only. */
  private spare: Slot | undefined;
  /** Bodies in a row that arrived alone. */
  private lone = 0;
  private next = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private spareTimer: NodeJS.Timeout | undefined;
  private readonly idleStopMs: number;
  private readonly spareIdleStopMs: number;
  /** Bodies parsed in halves so far. */
  halved = 0;
  constructor(size: number, options: { idleStopMs?: number; spareIdleStopMs?: number } = {}) {
    this.size = size;
    this.idleStopMs = options.idleStopMs ?? PARSE_WORKER_IDLE_STOP_MS;
    this.spareIdleStopMs = options.spareIdleStopMs ?? SPARE_IDLE_STOP_MS;
  }

  /** Workers running now, the spare included. */
  get workers(): number {
    return this.slots.length + (this.spare ? 1 : 0);
  }

  /** Whether the next lone body its format can cut is parsed in halves. */
  get halving(): boolean {
    return this.lone >= LONE_BODIES_BEFORE_SPARE - 1 && this.spare?.online === true;
  }

  parse(job: ParseJob, options: ParseOptions = {}): Promise<ParseOutcome> {
    this.lone = options.alone ? this.lone + 1 : 0;
    const halves = this.lone >= LONE_BODIES_BEFORE_SPARE ? halvesOf(job) : undefined;
    const spare = halves && this.readySpare();
    return spare ? this.parseInHalves(job, halves!, spare) : this.send(job, this.pick());
  }

  /** The spare once it runs and is free; started, for a later body, when there is none. */
  private readySpare(): Slot | undefined {
    if (!this.spare) {
      this.spare = this.spawn();
      this.armSpareStop();
    }
    return this.spare.online && this.spare.pending.size === 0 ? this.spare : undefined;
  }

  /** Stops the spare SPARE_IDLE_STOP_MS from now unless it takes a half meanwhile. */
  private armSpareStop() {
    clearTimeout(this.spareTimer);
    this.spareTimer = setTimeout(() => {
      const spare = this.spare;
      if (!spare) return;
      // Still parsing a half: stopped once it has been idle as long, not kept for good.
      if (spare.pending.size > 0) return this.armSpareStop();
      this.spare = undefined;
      void spare.worker.terminate();
    }, this.spareIdleStopMs);
    this.spareTimer.unref();
  }

  /** The halves on a worker and the spare, joined; the whole body on a worker when they cannot be (joinHalves). */
  private async parseInHalves(job: ParseJob, [first, second]: [ParseJob, ParseJob], spare: Slot): Promise<ParseOutcome> {
    this.armSpareStop();
    const [a, b] = await Promise.all([this.send(first, this.pick()), this.send(second, spare)]);
    const joined = joinHalves(a, b);
    if (joined) this.halved++;
    return joined ?? this.send(job, this.pick());
  }

  private send(job: ParseJob, slot: Slot): Promise<ParseOutcome> {
    clearTimeout(this.idleTimer);
    const id = this.next++;
    // A body that is the whole of its ArrayBuffer moves to the worker as it is: every caller
    // hands the intake bytes of its own and reads them no more once they are parsed. One
    // that shares a buffer (Node's pool, a larger message) is copied: 1.3 MB per 5,000
    // events on the event loop, for nothing when the body is already its own (#15).
    const bytes = job.body;
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !isMarkedAsUntransferable(bytes.buffer);
    const body = own ? (bytes.buffer as ArrayBuffer) : new Uint8Array(bytes).buffer;
    const { body: _body, ...rest } = job;
    return new Promise<ParseOutcome>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, job: rest, body }, [body]);
    }).finally(() => this.armIdleStop());
  }

  async close() {
    clearTimeout(this.idleTimer);
    clearTimeout(this.spareTimer);
    const stopping = [...this.slots.splice(0), ...(this.spare ? [this.spare] : [])];
    this.spare = undefined;
    await Promise.all(stopping.map((s) => s.worker.terminate()));
  }

  /** The worker with the fewest jobs in flight, or a new one when all are busy and fewer than `size` run. */
  private pick(): Slot {
    if (this.slots.length < this.size && this.slots.every((s) => s.pending.size > 0)) this.slots.push(this.spawn());
    return this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  private spawn(): Slot {
    // The sources run as .ts (npm start), the image runs the compiled .js.
    const file = new URL(import.meta.url.endsWith(".ts") ? "./parse-worker.ts" : "./parse-worker.js", import.meta.url);
    sizeWorkerHeaps();
    const worker = new Worker(file);
    worker.unref();
    const slot: Slot = { worker, pending: new Map(), online: false };
    worker.once("online", () => (slot.online = true));
    worker.on("message", (m: { id: number; outcome?: ParseOutcome; failure?: string }) => {
      const waiting = slot.pending.get(m.id);
      slot.pending.delete(m.id);
      if (m.outcome) waiting?.resolve(m.outcome);
      else waiting?.reject(new Error(`parse worker failed: ${m.failure}`));
    });
    const fail = (error: Error) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      if (this.spare === slot) this.spare = undefined;
      for (const waiting of slot.pending.values()) waiting.reject(error);
      slot.pending.clear();
    };
    worker.on("error", (error) => {
      log.error({ err: error }, "parse worker crashed; a new one takes the next body");
      fail(error);
    });
    worker.on("exit", (code) => fail(new Error(`parse worker exited with code ${code}`)));
    return slot;
  }

  private armIdleStop() {
    if ([...this.slots, ...(this.spare ? [this.spare] : [])].some((s) => s.pending.size > 0)) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.close(), this.idleStopMs);
    this.idleTimer.unref();
  }
}
