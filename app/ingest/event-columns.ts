import { isErrorEvent } from "../domain/error-event.ts";
import type { LogEvent } from "../domain/log-event.ts";
import type { Severity } from "../domain/vocabulary.ts";
import { ArrayLiteral } from "./array-literal.ts";
import { BatchRollups, joinRollupCells, type BatchRollup } from "./batch-rollups.ts";

/**
 * A batch as the INSERT takes it: each column already written as a PostgreSQL array
 * literal, and the counts the metrics need already tallied. A parse worker builds this, so
 * what crosses to the event loop is a dozen literals (moved as bytes: movedAsBytes) rather
 * than thousands of objects, and the event loop neither rebuilds nor re-serialises
 * per-event arrays (postgres.js passes a literal bound to an array parameter as it is).
 * 5,000 events cost the event loop ~43 ms of structured-clone decoding, array building and
 * escaping before, ~1 ms now (#15).
 */
export type EventColumns = BatchRollup & { [column in LiteralColumn]: Literal } & {
  count: number;
  /** The batch's distinct services, in order of first appearance. */
  services: string[];
  tally: BatchTally;
};

/**
 * The batch's columns held as array literals, one element per event: the INSERT's unnest
 * parameters. `serviceIndex` (int[]) is each event's service as a 1-based index into
 * `services`; `attributes` the JSON text of each event's attributes.
 */
const LITERAL_COLUMNS = ["serviceIndex", "ts", "level", "message", "method", "route", "status", "error_code", "latency_ms", "trace_id", "span_id", "attributes"] as const;
type LiteralColumn = (typeof LITERAL_COLUMNS)[number];

/**
 * A column's array literal: its text, or that text as UTF-8 bytes, as a parse worker hands
 * it over (movedAsBytes). postgres.js writes either as the parameter's text
 * (scripts/patch-postgres-js.cjs).
 */
export type Literal = string | Uint8Array;

const utf8 = new TextEncoder();

/**
 * The batch with each column's literal as UTF-8 bytes in a buffer of its own, and those
 * buffers, for a parse worker to move to the event loop (postMessage's transfer list)
 * rather than copy. As strings, ~2.5 MB per 5,000 events were copied onto the event loop's
 * heap and encoded to UTF-8 there again as postgres.js wrote them; now the worker encodes
 * them once and the event loop only copies bytes into the message. One client's POSTs:
 * 8-9 % more events/s and 7-9 % less API CPU per event (#15, interleaved A/B, 4 rounds, 1M
 * events, PG15; 4 clients unchanged). Each buffer is the encoder's own, never a slice of a
 * shared pool, which would move the pool with it.
 */
export function movedAsBytes(columns: EventColumns): { columns: EventColumns; buffers: ArrayBuffer[] } {
  const moved = { ...columns };
  const buffers: ArrayBuffer[] = [];
  for (const name of LITERAL_COLUMNS) {
    const literal = columns[name];
    const bytes = typeof literal === "string" ? utf8.encode(literal) : literal;
    moved[name] = bytes;
    buffers.push(bytes.buffer as ArrayBuffer);
  }
  return { columns: moved, buffers };
}

/**
 * One batch of two that were parsed apart (parse-pool.ts parseInHalves), `a`'s events first:
 * what parsing their bodies as one gives, but for the order of roll-up cells and of tally
 * entries, which are sums either way (the tally may name a service twice). `b`'s service
 * indexes are renumbered into the joined `services`.
 */
export function joinColumns(a: EventColumns, b: EventColumns): EventColumns {
  const services = [...a.services];
  const index = new Map(services.map((service, i) => [service, i + 1]));
  const renumbered = b.services.map((service) => {
    let ix = index.get(service);
    if (ix === undefined) index.set(service, (ix = services.push(service)));
    return ix;
  });
  const joined: EventColumns = {
    ...a,
    count: a.count + b.count,
    services,
    rollupMinutes: joinRollupCells(a.rollupMinutes, b.rollupMinutes, renumbered),
    tally: { requests: [...a.tally.requests, ...b.tally.requests], errors: [...a.tally.errors, ...b.tally.errors], latencies: [...a.tally.latencies, ...b.tally.latencies] },
  };
  const same = renumbered.every((ix, i) => ix === i + 1);
  for (const name of LITERAL_COLUMNS) joined[name] = joinLiterals(a[name], name === "serviceIndex" && !same ? renumberIndexes(b[name], renumbered) : b[name]);
  return joined;
}

/** Two array literals as one, `a`'s elements first: `{1,2}` and `{3}` make `{1,2,3}`. Neither is empty. */
function joinLiterals(a: Literal, b: Literal): Literal {
  if (typeof a === "string" && typeof b === "string") return `${a.slice(0, -1)},${b.slice(1)}`;
  const x = typeof a === "string" ? utf8.encode(a) : a;
  const y = typeof b === "string" ? utf8.encode(b) : b;
  const joined = new Uint8Array(x.length + y.length - 1);
  joined.set(x.subarray(0, -1));
  joined[x.length - 1] = COMMA;
  joined.set(y.subarray(1), x.length);
  return joined;
}

const COMMA = 0x2c;

/** An int[] literal of 1-based service indexes with each index i written as renumbered[i - 1]. */
function renumberIndexes(literal: Literal, renumbered: readonly number[]): string {
  const text = typeof literal === "string" ? literal : new TextDecoder().decode(literal);
  return `{${text.slice(1, -1).split(",").map((ix) => renumbered[Number(ix) - 1]!).join(",")}}`;
}

/** What the per-service Prometheus metrics count of a batch, by service name (before label capping). */
export type BatchTally = {
  /** [service, status class (2xx... or none), events] */
  requests: [string, string, number][];
  /** [service, error code (or none), events counted as errors] */
  errors: [string, string, number][];
  /** Reported latencies in seconds, per service. */
  latencies: [string, Float64Array][];
};

/** Status classes as the metrics label them, by hundred; index 0 is an event without a status. */
const CODE_CLASSES = ["none", "1xx", "2xx", "3xx", "4xx", "5xx"] as const;

/** One service's share of a batch's tally. */
type ServiceTally = { requests: number[]; errors: Map<string, number>; latencies: Float64Array; latencyCount: number };

/**
 * Writes events into the columns one at a time, with no per-event object or per-column
 * array of values in between: the native JSON parser (formats/native-json.ts) feeds it
 * straight from the parsed body, every other format through toColumns. One place for the
 * literal syntax and the tally, so both ways give the same batch. The fields arrive already
 * validated: a timestamp as ISO text, optional ones as undefined.
 */
export class ColumnsBuilder {
  private count = 0;
  private readonly services = new Map<string, number>();
  private readonly tallies: ServiceTally[] = [];
  private readonly serviceIndex = new ArrayLiteral();
  private readonly ts = new ArrayLiteral();
  private readonly level = new ArrayLiteral();
  private readonly message = new ArrayLiteral();
  private readonly method = new ArrayLiteral();
  private readonly route = new ArrayLiteral();
  private readonly status = new ArrayLiteral();
  private readonly errorCode = new ArrayLiteral();
  private readonly latencyMs = new ArrayLiteral();
  private readonly traceId = new ArrayLiteral();
  private readonly spanId = new ArrayLiteral();
  private readonly attributes = new ArrayLiteral();
  private readonly rollups = new BatchRollups();

  add(
    service: string,
    ts: string,
    level: Severity,
    message: string | undefined,
    method: string | undefined,
    route: string | undefined,
    status: number | undefined,
    errorCode: string | undefined,
    latencyMs: number | undefined,
    traceId: string | undefined,
    spanId: string | undefined,
    attributesJson: string | undefined,
  ): void {
    let ix = this.services.get(service);
    if (ix === undefined) {
      this.services.set(service, (ix = this.services.size + 1));
      this.tallies.push({ requests: [0, 0, 0, 0, 0, 0], errors: new Map(), latencies: new Float64Array(64), latencyCount: 0 });
    }
    this.count++;
    this.serviceIndex.add(ix);
    this.ts.add(ts);
    this.level.add(level);
    this.message.add(message);
    this.method.add(method);
    this.route.add(route);
    this.status.add(status);
    this.errorCode.add(errorCode);
    this.latencyMs.add(latencyMs);
    this.traceId.add(traceId);
    this.spanId.add(spanId);
    this.attributes.add(attributesJson);
    this.rollups.add(ix, ts, level, status, latencyMs);

    const tally = this.tallies[ix - 1]!;
    tally.requests[status ? Math.floor(status / 100) : 0]!++;
    if (isErrorEvent(status, level)) {
      const code = errorCode ?? "none";
      tally.errors.set(code, (tally.errors.get(code) ?? 0) + 1);
    }
    if (latencyMs != null) {
      if (tally.latencyCount === tally.latencies.length) {
        const grown = new Float64Array(tally.latencies.length * 4);
        grown.set(tally.latencies);
        tally.latencies = grown;
      }
      tally.latencies[tally.latencyCount++] = latencyMs / 1000;
    }
  }

  build(): EventColumns {
    const names = [...this.services.keys()];
    const tally: BatchTally = { requests: [], errors: [], latencies: [] };
    names.forEach((service, i) => {
      const t = this.tallies[i]!;
      t.requests.forEach((n, c) => n && tally.requests.push([service, CODE_CLASSES[c]!, n]));
      for (const [code, n] of t.errors) tally.errors.push([service, code, n]);
      if (t.latencyCount) tally.latencies.push([service, t.latencies.slice(0, t.latencyCount)]);
    });
    return {
      count: this.count,
      services: names,
      serviceIndex: String(this.serviceIndex),
      ts: String(this.ts),
      level: String(this.level),
      message: String(this.message),
      method: String(this.method),
      route: String(this.route),
      status: String(this.status),
      error_code: String(this.errorCode),
      latency_ms: String(this.latencyMs),
      trace_id: String(this.traceId),
      span_id: String(this.spanId),
      attributes: String(this.attributes),
      rollupMinutes: this.rollups.cells(),
      tally,
    };
  }
}

/** Columns of events every format but native JSON hands on (ColumnsBuilder). */
export function toColumns(events: readonly LogEvent[]): EventColumns {
  const builder = new ColumnsBuilder();
  for (const e of events) {
    builder.add(
      e.service,
      e.timestamp.toISOString(),
      e.level,
      e.message,
      e.method,
      e.route,
      e.status,
      e.error_code,
      e.latency_ms,
      e.trace_id,
      e.span_id,
      e.attributes === undefined ? undefined : JSON.stringify(e.attributes),
    );
  }
  return builder.build();
}
