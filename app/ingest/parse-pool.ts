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

type Slot = { worker: Worker; pending: Map<number, { resolve: (o: ParseOutcome) => void; reject: (e: Error) => void }> };

/**
 * Worker threads that parse and validate ingest bodies, so the API's event loop only
 * writes batches and answers: a 5,000-event body is tens of milliseconds of JSON.parse and
 * validation, during which no other request is served (INGEST_PARSE_WORKERS). Workers start
 * on the first body and stop after PARSE_WORKER_IDLE_STOP_MS without one, so an idle API holds none. A
 * job goes to the worker with the fewest in flight; a worker that dies fails its jobs and
 * is replaced on the next one.
 *
 * A body that arrives while nothing else is ingested is cut in two where its format can
 * (parse-halves.ts), and the halves parsed on two workers at once, a second one started for
 * it if the pool has one: one client waits for its batch's parse and then its INSERT, and
 * PostgreSQL leaves both cores idle while it parses.
 */
export class ParsePool implements Parser {
  private readonly size: number;
  private readonly slots: Slot[] = [];
  private next = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly idleStopMs: number;
  constructor(size: number, options: { idleStopMs?: number } = {}) {
    this.size = size;
    this.idleStopMs = options.idleStopMs ?? PARSE_WORKER_IDLE_STOP_MS;
  }

  /** Workers running now. */
  get workers(): number {
    return this.slots.length;
  }

  parse(job: ParseJob, options: ParseOptions = {}): Promise<ParseOutcome> {
    const halves = options.alone ? halvesOf(job) : undefined;
    return halves ? this.parseInHalves(job, halves) : this.send(job, this.pick(this.size));
  }

  /** The halves on two workers, joined; the whole body on one when they cannot be (joinHalves). */
  private async parseInHalves(job: ParseJob, [first, second]: [ParseJob, ParseJob]): Promise<ParseOutcome> {
    const twoWorkers = Math.max(this.size, 2);
    const parsed = [this.send(first, this.pick(twoWorkers)), this.send(second, this.pick(twoWorkers))];
    const [a, b] = await Promise.all(parsed);
    return joinHalves(a!, b!) ?? this.send(job, this.pick(this.size));
  }

  private send(job: ParseJob, slot: Slot): Promise<ParseOutcome> {
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
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  /**
   * Of the first `most` workers, the one with the fewest jobs in flight, or a new one when
   * all are busy and fewer run. A whole body takes one of the first `size`: a spare started
   * for halves stays theirs, so a busy API parses on the workers it was given (and holds
   * their memory only).
   */
  private pick(most: number): Slot {
    clearTimeout(this.idleTimer);
    const slots = this.slots.slice(0, most);
    if (slots.length < most && slots.every((s) => s.pending.size > 0)) {
      const spawned = this.spawn();
      this.slots.push(spawned);
      return spawned;
    }
    return slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  private spawn(): Slot {
    // The sources run as .ts (npm start), the image runs the compiled .js.
    const file = new URL(import.meta.url.endsWith(".ts") ? "./parse-worker.ts" : "./parse-worker.js", import.meta.url);
    sizeWorkerHeaps();
    const worker = new Worker(file);
    worker.unref();
    const slot: Slot = { worker, pending: new Map() };
    worker.on("message", (m: { id: number; outcome?: ParseOutcome; failure?: string }) => {
      const waiting = slot.pending.get(m.id);
      slot.pending.delete(m.id);
      if (m.outcome) waiting?.resolve(m.outcome);
      else waiting?.reject(new Error(`parse worker failed: ${m.failure}`));
    });
    const fail = (error: Error) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
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
    if (this.slots.some((s) => s.pending.size > 0)) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.close(), this.idleStopMs);
    this.idleTimer.unref();
  }
}
