import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { timed } from "../../db/query-metrics.ts";
import type { LogSelector, MetricExpr, RangeAggregation } from "./ast.ts";
import { linesStatement, rangeStatement, selectorCondition, serviceIdsWhere, serviceMatchers, timestamp, type LinesQuery, type Steps, type TimeWindow } from "./compile.ts";
import { boundaryInstants, boundaryStatement, correct, rollupCountStatement, rollupsAnswer } from "./from-rollups.ts";
import { evaluate, labelsKey, type Labels, type Series, type Value } from "./evaluate.ts";
import { ATTRIBUTE_PREFIX, STREAM_LABELS, labelText } from "./labels.ts";

// Runs compiled LogQL in the caller's transaction (row-level security decides what it sees)
// and shapes rows into Loki's streams and series.

export type Entry = { tsUs: string; line: string };
export type Stream = { labels: Labels; entries: Entry[] };

export type LineRow = Record<(typeof STREAM_LABELS)[number], string | null> & {
  ts_us: string;
  id: string | number;
  message: string | null;
  latency_ms: string | null;
  trace_id: string | null;
  span_id: string | null;
  attributes: Record<string, unknown> | null;
};

async function rows<T>(db: Db, statement: SQL): Promise<T[]> {
  return (await db.execute(statement)) as unknown as T[];
}

/**
 * The services a selector's service and team matchers keep, looked up first so the query
 * carries them as values (an empty list: no line can match); undefined when it names none.
 */
export async function resolveServices(db: Db, selector: LogSelector): Promise<number[] | undefined> {
  const matchers = serviceMatchers(selector);
  if (matchers.length === 0) return undefined;
  return (await rows<{ id: number }>(db, serviceIdsWhere(matchers))).map((r) => r.id);
}

/** A log query's rows: its services looked up first, then its lines. */
export async function readLines(db: Db, query: LinesQuery): Promise<LineRow[]> {
  const serviceIds = await resolveServices(db, query.selector);
  if (serviceIds?.length === 0) return [];
  return timed("loki_query", () => rows<LineRow>(db, linesStatement({ ...query, serviceIds })));
}

/** Lines of a log query, grouped into streams by their label sets, in the order read. */
export async function readStreams(db: Db, query: LinesQuery): Promise<{ streams: Stream[]; lines: number }> {
  const found = await readLines(db, query);
  return { streams: toStreams(found, query.selector), lines: found.length };
}

/** Rows as Loki's streams: one per label set (the parsed labels too, after a parser), lines in the order given. */
export function toStreams(found: LineRow[], selector: LogSelector): Stream[] {
  const parsed = selector.stages.some((s) => s.kind === "parser");
  const streams = new Map<string, Stream>();
  for (const row of found) {
    const labels = present(Object.fromEntries(STREAM_LABELS.map((l) => [l, row[l]])));
    if (parsed) Object.assign(labels, present({ latency_ms: row.latency_ms, trace_id: row.trace_id, span_id: row.span_id }), flatten(ATTRIBUTE_PREFIX.slice(0, -1), row.attributes ?? {}));
    const key = labelsKey(labels);
    const stream = streams.get(key) ?? streams.set(key, { labels, entries: [] }).get(key)!;
    stream.entries.push({ tsUs: row.ts_us, line: row.message ?? "" });
  }
  return [...streams.values()];
}

/** Loki's json parser names nested keys by joining them with `_`; so does this. */
function flatten(prefix: string, value: Record<string, unknown>, into: Labels = {}): Labels {
  for (const [key, v] of Object.entries(value)) {
    const name = `${prefix}_${key}`.replace(/[^A-Za-z0-9_]/g, "_");
    if (v !== null && typeof v === "object" && !Array.isArray(v)) flatten(name, v as Record<string, unknown>, into);
    else if (v !== null && v !== "") into[name] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return into;
}

/** Labels with a value; Loki has no empty or null labels. */
function present(labels: Record<string, string | null>): Labels {
  return Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== null && v !== "")) as Labels;
}

/** A metric query's value at every step of the grid. */
export async function evaluateMetric(db: Db, expr: MetricExpr, steps: Steps): Promise<Value> {
  return evaluate(expr, steps, async (range: RangeAggregation, labels: readonly string[]): Promise<Series[]> => {
    const serviceIds = await resolveServices(db, range.selector);
    if (serviceIds?.length === 0) return [];
    // One service too: its events were cheaper to walk than the roll-ups only while it had
    // a few lines a minute. With 20,000 in its last hour (the 10M fixture after a burst)
    // a day's count took 128 ms from the events, 22-29 ms from the roll-ups (#15).
    if (rollupsAnswer(range, labels, steps)) return fromRollups(db, range, labels, steps, serviceIds);
    const found = await timed("loki_metric", () => rows<Record<string, unknown>>(db, rangeStatement(range, labels, steps, serviceIds)));
    const series = new SeriesSet(labels);
    for (const row of found) series.add(row, Number(row.k), Number(row.value));
    return series.list();
  });
}

/** Series built from rows whose labels are columns l0, l1, … in the order of `labels`. */
class SeriesSet {
  private readonly series = new Map<string, Series>();
  private readonly labels: readonly string[];
  constructor(labels: readonly string[]) {
    this.labels = labels;
  }
  add(row: Record<string, unknown>, k: number, value: number) {
    const labelSet = present(Object.fromEntries(this.labels.map((l, i) => [l, row[`l${i}`] as string | null])));
    const key = labelsKey(labelSet);
    const s = this.series.get(key) ?? this.series.set(key, { labels: labelSet, points: new Map() }).get(key)!;
    s.points.set(k, (s.points.get(k) ?? 0) + value);
  }
  list(): Series[] {
    return [...this.series.values()];
  }
}

/** count_over_time or rate from the minute roll-ups, with the lines at the windows' edges set right (from-rollups.ts). */
async function fromRollups(db: Db, range: RangeAggregation, labels: readonly string[], steps: Steps, serviceIds: number[] | undefined): Promise<Series[]> {
  const counted = await timed("loki_metric_rollups", () => rows<Record<string, unknown>>(db, rollupCountStatement(range, labels, steps, serviceIds)));
  const edges = await timed("loki_metric_edges", () => rows<Record<string, unknown>>(db, boundaryStatement(range, labels, boundaryInstants(range, steps), serviceIds)));
  const series = new SeriesSet(labels);
  for (const row of counted) series.add(row, Number(row.k), Number(row.value));
  for (const row of edges) correct(Number(row.ts_us), Number(row.n), range, steps, (k, delta) => series.add(row, k, delta));
  const perSecond = range.fn === "rate" ? range.rangeMs / 1000 : 1;
  return series
    .list()
    .map((s) => ({ labels: s.labels, points: new Map([...s.points].filter(([, n]) => n > 0).map(([k, n]) => [k, n / perSecond])) }))
    .filter((s) => s.points.size > 0);
}

function windowCondition(window: TimeWindow): SQL {
  return sql`e.ts >= ${timestamp(window.fromUs)} AND e.ts < ${timestamp(window.toUs)}`;
}

function selectorsCondition(selectors: LogSelector[]): SQL {
  if (selectors.length === 0) return sql`true`;
  const compiled = selectors.map((selector) => selectorCondition(selector));
  return sql`(${sql.join(compiled.map((c) => sql`(${c.condition})`), sql` OR `)})`;
}

/** The stream labels that have a value on some event in the window (and the selector's streams). */
export async function labelNames(db: Db, window: TimeWindow, selector?: LogSelector): Promise<string[]> {
  const condition = selectorsCondition(selector ? [selector] : []);
  const exists = STREAM_LABELS.map(
    (label) => sql`EXISTS (SELECT 1 FROM log_events e JOIN services s ON s.id = e.service_id WHERE ${windowCondition(window)} AND ${condition} AND ${labelText(label, false)} IS NOT NULL) AS ${sql.identifier(label)}`,
  );
  const [row] = await timed("loki_labels", () => rows<Record<string, boolean>>(db, sql`SELECT ${sql.join(exists, sql`, `)}`));
  return STREAM_LABELS.filter((l) => row?.[l]).sort();
}

/**
 * The values a label takes in the window, sorted. Services and teams without a selector
 * come from the minute roll-ups (a few rows per service-minute, not every event).
 */
export async function labelValues(db: Db, label: string, window: TimeWindow, selector?: LogSelector): Promise<string[]> {
  if (!selector && (label === "service" || label === "team")) {
    const column = label === "service" ? sql`s.name` : sql`s.owner_team`;
    const found = await timed("loki_label_values", () =>
      rows<{ v: string }>(db, sql`
        SELECT DISTINCT ${column} AS v FROM log_rollups r JOIN services s ON s.id = r.service_id
        WHERE r.bucket_seconds = 60 AND r.ts >= date_trunc('minute', ${timestamp(window.fromUs)}) AND r.ts < ${timestamp(window.toUs)} AND ${column} IS NOT NULL
        ORDER BY 1`),
    );
    return found.map((r) => r.v);
  }
  const { condition, parsed } = selector ? selectorCondition(selector) : { condition: sql`true`, parsed: false };
  const value = labelText(label, parsed);
  const found = await timed("loki_label_values", () =>
    rows<{ v: string }>(db, sql`
      SELECT DISTINCT ${value} AS v FROM log_events e JOIN services s ON s.id = e.service_id
      WHERE ${windowCondition(window)} AND ${condition} AND ${value} IS NOT NULL AND ${value} <> ''
      ORDER BY 1 LIMIT 10000`),
  );
  return found.map((r) => r.v);
}

/** Distinct stream label sets of the events the selectors match in the window. */
export async function readSeries(db: Db, selectors: LogSelector[], window: TimeWindow, limit: number): Promise<Labels[]> {
  const condition = selectorsCondition(selectors);
  const columns = STREAM_LABELS.map((l) => sql`${labelText(l, false)} AS ${sql.identifier(l)}`);
  const found = await timed("loki_series", () =>
    rows<Record<string, string | null>>(db, sql`
      SELECT DISTINCT ${sql.join(columns, sql`, `)} FROM log_events e JOIN services s ON s.id = e.service_id
      WHERE ${windowCondition(window)} AND ${condition} LIMIT ${limit}`),
  );
  return found.map(present);
}

export type IndexStats = { streams: number; chunks: number; bytes: number; entries: number };

/** Loki's index statistics for a selector; Failsight has no chunks, so a stream counts as one. */
export async function readStats(db: Db, selector: LogSelector, window: TimeWindow): Promise<IndexStats> {
  const { condition } = selectorCondition(selector);
  const tuple = sql.join(STREAM_LABELS.map((l) => labelText(l, false)), sql`, `);
  const [row] = await timed("loki_stats", () =>
    rows<{ streams: string; bytes: string | null; entries: string }>(db, sql`
      SELECT count(DISTINCT (${tuple})) AS streams, sum(octet_length(coalesce(e.message, ''))) AS bytes, count(*) AS entries
      FROM log_events e JOIN services s ON s.id = e.service_id
      WHERE ${windowCondition(window)} AND ${condition}`),
  );
  const streams = Number(row?.streams ?? 0);
  return { streams, chunks: streams, bytes: Number(row?.bytes ?? 0), entries: Number(row?.entries ?? 0) };
}

/** Bytes of log lines per group of `labels` in the window, largest first: Loki's volume endpoint. */
export async function readVolume(db: Db, selector: LogSelector, window: TimeWindow, labels: string[], limit: number): Promise<{ labels: Labels; bytes: number }[]> {
  const { condition } = selectorCondition(selector);
  const columns = labels.map((l, i) => sql`${labelText(l, false)} AS ${sql.identifier(`l${i}`)}`);
  const found = await timed("loki_volume", () =>
    rows<Record<string, string | null>>(db, sql`
      SELECT ${sql.join([...columns, sql`sum(octet_length(coalesce(e.message, '')))::float8 AS bytes`], sql`, `)}
      FROM log_events e JOIN services s ON s.id = e.service_id
      WHERE ${windowCondition(window)} AND ${condition}
      ${labels.length ? sql`GROUP BY ${sql.join(labels.map((_, i) => sql.identifier(`l${i}`)), sql`, `)}` : sql``}
      HAVING count(*) > 0
      ORDER BY bytes DESC LIMIT ${limit}`),
  );
  return found.map((row) => ({ labels: present(Object.fromEntries(labels.map((l, i) => [l, row[`l${i}`] ?? null]))), bytes: Number(row.bytes) }));
}
