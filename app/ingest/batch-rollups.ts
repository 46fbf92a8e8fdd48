import { isErrorEvent } from "../domain/error-event.ts";
import { SEVERITIES, type Severity } from "../domain/vocabulary.ts";
import { bucketOfLatency } from "../rollups/histogram.ts";
import { COUNT_COLUMNS, ROLLUP_BUCKETS, STATUS_CLASSES } from "../rollups/rollup-sql.ts";
import { ArrayLiteral, arrayLiteral } from "./array-literal.ts";

/**
 * A batch's partial roll-up rows, one per service and minute and per service and hour, as
 * the INSERT takes them: one array literal per log_rollups column.
 */
export type RollupColumns = {
  /** text[]: each row's bucket start, as toISOString writes it. */
  ts: string;
  /** int[]: 60 or 3600 (ROLLUP_BUCKETS). */
  bucketSeconds: string;
  /** int[]: each row's service as a 1-based index into the roll-up's services (BatchRollup). */
  serviceIndex: string;
  /** text[]: each row's COUNT_COLUMNS, in that order, as an int[] literal. */
  counts: string;
  latencySum: string;
  /** text[]: each row's latency buckets, ascending, as a smallint[] literal. */
  latencyBuckets: string;
  /** text[]: how many events each of those buckets holds, as an int[] literal. */
  latencyCounts: string;
  /** text[]: each row's newest event. */
  lastTs: string;
};

/**
 * One service's events of one minute (or one hour) rolled up: what a log_rollups row
 * holds. `service` is a 1-based index into the batch's services.
 */
export type RollupCell = { service: number; start: string; counts: number[]; latencySum: number; latencies: Map<number, number>; lastTs: string };

/**
 * A batch's roll-up as the parse worker hands it over: its minute cells, each naming its
 * service by index into `services`. Hours are folded from them on the event loop, when
 * the INSERT's columns are written (rollupColumns): cells cross to it, not literals.
 */
export type BatchRollup = { services: readonly string[]; rollupMinutes: RollupCell[] };

const column = (name: string) => COUNT_COLUMNS.indexOf(name as (typeof COUNT_COLUMNS)[number]);
const EVENTS = column("events");
const ERRORS = column("errors");
const LATENCY_COUNT = column("latency_count");
const LEVEL_COLUMN = new Map<Severity, number>(SEVERITIES.map((level) => [level, column(`level_${level}`)]));
/** By status class - 1. */
const STATUS_COLUMN = STATUS_CLASSES.map((c) => column(`status_${c}xx`));
// ISO text ("2026-11-25T10:15:00.123Z") up to the minute and the hour, and what completes each as an instant.
const MINUTE_PREFIX = 16;
const HOUR_PREFIX = 13;

/**
 * Rolls a batch up as it is read, event by event, into what rollupSql makes of the same
 * events once stored (rollups.test.ts holds the two together): counts by level and status
 * class, errors, latency sum and histogram, newest event. The database used to aggregate
 * every batch itself, 18 % of its CPU per ingested event (#15); done here, on a parse
 * worker, it inserts a few rows per service. Timestamps arrive as toISOString writes
 * them, so a bucket is a prefix of the text and the newest event the greatest text.
 */
export class BatchRollups {
  /** Minute cells by minute prefix, then by service index. */
  private readonly minutes = new Map<string, RollupCell[]>();

  add(service: number, ts: string, level: Severity, status: number | undefined, latencyMs: number | undefined): void {
    const minute = ts.slice(0, MINUTE_PREFIX);
    let cells = this.minutes.get(minute);
    if (!cells) this.minutes.set(minute, (cells = []));
    const cell = (cells[service] ??= newCell(service, `${minute}:00.000Z`));
    const counts = cell.counts;
    counts[EVENTS]!++;
    if (isErrorEvent(status, level)) counts[ERRORS]!++;
    counts[LEVEL_COLUMN.get(level)!]!++;
    // PostgreSQL's smallint division truncates, as this does for the statuses ingest takes (100-599).
    const statusClass = status == null ? 0 : Math.trunc(status / 100);
    if (statusClass >= 1 && statusClass <= STATUS_COLUMN.length) counts[STATUS_COLUMN[statusClass - 1]!]!++;
    if (latencyMs != null) {
      counts[LATENCY_COUNT]!++;
      cell.latencySum += latencyMs;
      const bucket = bucketOfLatency(latencyMs);
      cell.latencies.set(bucket, (cell.latencies.get(bucket) ?? 0) + 1);
    }
    if (ts > cell.lastTs) cell.lastTs = ts;
  }

  /** The minute cells, in no particular order. */
  cells(): RollupCell[] {
    const all: RollupCell[] = [];
    for (const cells of this.minutes.values()) for (const cell of cells) if (cell) all.push(cell);
    return all;
  }
}

/**
 * The INSERT's roll-up columns: a row for each minute cell, and one for each service and
 * hour they fold into.
 */
export function rollupColumns(minutes: readonly RollupCell[]): RollupColumns {
  const hours = new Map<string, RollupCell>();
  for (const cell of minutes) {
    const hour = cell.start.slice(0, HOUR_PREFIX);
    const key = `${cell.service} ${hour}`;
    let into = hours.get(key);
    if (!into) hours.set(key, (into = newCell(cell.service, `${hour}:00:00.000Z`)));
    mergeInto(into, cell);
  }
  const out = {
    ts: new ArrayLiteral(),
    bucketSeconds: new ArrayLiteral(),
    serviceIndex: new ArrayLiteral(),
    counts: new ArrayLiteral(),
    latencySum: new ArrayLiteral(),
    latencyBuckets: new ArrayLiteral(),
    latencyCounts: new ArrayLiteral(),
    lastTs: new ArrayLiteral(),
  };
  const emit = (cell: RollupCell, seconds: number) => {
    const buckets = [...cell.latencies.keys()].sort((a, b) => a - b);
    out.ts.add(cell.start);
    out.bucketSeconds.add(seconds);
    out.serviceIndex.add(cell.service);
    out.counts.add(arrayLiteral(cell.counts));
    out.latencySum.add(cell.latencySum);
    out.latencyBuckets.add(arrayLiteral(buckets));
    out.latencyCounts.add(arrayLiteral(buckets.map((b) => cell.latencies.get(b)!)));
    out.lastTs.add(cell.lastTs);
  };
  for (const cell of minutes) emit(cell, ROLLUP_BUCKETS.minute);
  for (const cell of hours.values()) emit(cell, ROLLUP_BUCKETS.hour);
  return {
    ts: String(out.ts),
    bucketSeconds: String(out.bucketSeconds),
    serviceIndex: String(out.serviceIndex),
    counts: String(out.counts),
    latencySum: String(out.latencySum),
    latencyBuckets: String(out.latencyBuckets),
    latencyCounts: String(out.latencyCounts),
    lastTs: String(out.lastTs),
  };
}

/**
 * The minute cells of two parts of one batch as one batch's: `b`'s services renumbered
 * (its index i is renumbered[i - 1]), and a cell of both parts' service and minute merged
 * into `a`'s, which it changes.
 */
export function joinRollupCells(a: RollupCell[], b: readonly RollupCell[], renumbered: readonly number[]): RollupCell[] {
  const key = (service: number, start: string) => `${service} ${start}`;
  const cells = new Map(a.map((cell) => [key(cell.service, cell.start), cell]));
  const joined = [...a];
  for (const cell of b) {
    const service = renumbered[cell.service - 1]!;
    const into = cells.get(key(service, cell.start));
    if (into) mergeInto(into, cell);
    else joined.push({ ...cell, service });
  }
  return joined;
}

const newCell = (service: number, start: string): RollupCell => ({ service, start, counts: new Array<number>(COUNT_COLUMNS.length).fill(0), latencySum: 0, latencies: new Map(), lastTs: "" });

function mergeInto(into: RollupCell, from: RollupCell): RollupCell {
  for (let i = 0; i < into.counts.length; i++) into.counts[i]! += from.counts[i]!;
  into.latencySum += from.latencySum;
  for (const [bucket, n] of from.latencies) into.latencies.set(bucket, (into.latencies.get(bucket) ?? 0) + n);
  if (from.lastTs > into.lastTs) into.lastTs = from.lastTs;
  return into;
}
