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
  /** int[]: each row's service as a 1-based index into the batch's services. */
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

type Cell = { service: number; start: string; counts: number[]; latencySum: number; latencies: Map<number, number>; lastTs: string };

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
  private readonly minutes = new Map<string, Cell[]>();

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

  build(): RollupColumns {
    const hours = new Map<string, Cell[]>();
    const minuteCells: Cell[] = [];
    for (const [minute, cells] of this.minutes) {
      const hour = minute.slice(0, HOUR_PREFIX);
      let hourCells = hours.get(hour);
      if (!hourCells) hours.set(hour, (hourCells = []));
      for (const cell of cells) {
        if (!cell) continue;
        minuteCells.push(cell);
        mergeInto((hourCells[cell.service] ??= newCell(cell.service, `${hour}:00:00.000Z`)), cell);
      }
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
    const emit = (cell: Cell, seconds: number) => {
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
    for (const cell of minuteCells) emit(cell, ROLLUP_BUCKETS.minute);
    for (const cells of hours.values()) for (const cell of cells) if (cell) emit(cell, ROLLUP_BUCKETS.hour);
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
}

const newCell = (service: number, start: string): Cell => ({ service, start, counts: new Array<number>(COUNT_COLUMNS.length).fill(0), latencySum: 0, latencies: new Map(), lastTs: "" });

function mergeInto(into: Cell, from: Cell): void {
  for (let i = 0; i < into.counts.length; i++) into.counts[i]! += from.counts[i]!;
  into.latencySum += from.latencySum;
  for (const [bucket, n] of from.latencies) into.latencies.set(bucket, (into.latencies.get(bucket) ?? 0) + n);
  if (from.lastTs > into.lastTs) into.lastTs = from.lastTs;
}
