import { sql, type SQL } from "drizzle-orm";
import { MAX_INSTANT_MS, MIN_INSTANT_MS } from "../../domain/text.ts";
import { SEVERITIES } from "../../domain/vocabulary.ts";
import { type LabelFilter, type LineFilter, type LogSelector, type MatchOp, type Matcher, type RangeAggregation } from "./ast.ts";
import { LogQLError, unsupported } from "./errors.ts";
import { ERROR_LABELS, STREAM_LABELS, isParsedLabel, labelNumber, labelText } from "./labels.ts";

// LogQL → SQL on the partitioned log_events (alias e) and its service (alias s). Pure: it
// builds statements and runs nothing. Every filter lands in WHERE, in forms the indexes
// take: a service or team becomes `service_id = ANY(ids)` for (service_id, ts), an exact
// status `http_status = n`, and the time bounds prune partitions. Row-level security
// applies to the statement as to any read; nothing here decides what a caller may see.

/** Loki's own cap: more points than this per series is a 400 asking for a longer step. */
export const MAX_POINTS_PER_SERIES = 11_000;

export type TimeWindow = { fromUs: number; toUs: number };

/**
 * Microseconds since the epoch as a timestamptz parameter, without losing the microseconds.
 * Bounds beyond what Failsight stores (1970 to 9999) are clamped to it: they select the
 * same rows, and PostgreSQL could not read every such year as JavaScript writes it.
 */
export function timestamp(microseconds: number): SQL {
  return sql`${isoMicros(microseconds)}::timestamptz`;
}

/** ISO 8601 with microseconds, clamped as `timestamp` explains. */
export function isoMicros(microseconds: number): string {
  const us = Math.min(Math.max(microseconds, MIN_INSTANT_MS * 1000), MAX_INSTANT_MS * 1000);
  const ms = Math.floor(us / 1000);
  return new Date(ms).toISOString().replace("Z", `${String(us - ms * 1000).padStart(3, "0")}Z`);
}

/** The stream matchers that choose services (by name or owning team). */
export function serviceMatchers(selector: LogSelector): Matcher[] {
  return selector.matchers.filter((m) => m.label === "service" || m.label === "team");
}

/**
 * The matchers and every stage of the pipeline as one condition; `parsed` says whether a
 * parser ran. `serviceIds`, when given, are the services the service and team matchers
 * keep, looked up beforehand (serviceIdsWhere): as values, the planner can weigh them.
 */
export function selectorCondition(selector: LogSelector, serviceIds?: number[]): { condition: SQL; parsed: boolean } {
  requireNonEmptyMatcher(selector);
  const resolved = serviceIds ? serviceMatchers(selector) : [];
  const parts: SQL[] = selector.matchers.filter((m) => !resolved.includes(m)).map((m) => matchCondition(m.label, m.op, m.value, false));
  // One service as an equality, as /logs sends it: an index scan on (service_id, ts, id) can
  // then return lines in time order, which `= ANY(...)` does not promise the planner.
  if (serviceIds?.length === 1) parts.unshift(sql`e.service_id = ${serviceIds[0]}`);
  else if (serviceIds) parts.unshift(sql`e.service_id = ANY(${`{${serviceIds.join(",")}}`}::int[])`);
  let parsed = false;
  for (const stage of selector.stages) {
    if (stage.kind === "parser") parsed = true;
    else if (stage.kind === "line") parts.push(lineCondition(stage.filter));
    else if (stage.kind === "label") parts.push(labelFilterCondition(stage.filter, parsed));
    else if (stage.kind === "drop") {
      const other = stage.labels.find((l) => !ERROR_LABELS.includes(l));
      if (other) throw unsupported(`\`| drop ${other}\` (only __error__ and __error_details__ can be dropped)`);
    }
  }
  return { condition: sql.join(parts, sql` AND `), parsed };
}

/** Loki's rule, kept for the same reason: a selector must narrow the streams, not just exclude. */
function requireNonEmptyMatcher(selector: LogSelector) {
  const narrows = selector.matchers.some((m) => (m.op === "=" && m.value !== "") || (m.op === "=~" && !regexMatchesEmpty(m.value)));
  if (!narrows) {
    throw new LogQLError(
      'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, service=~".*" does not meet this requirement, but service=~".+" will',
    );
  }
}

function regexMatchesEmpty(pattern: string): boolean {
  const { source, flags } = splitFlags(pattern);
  try {
    return new RegExp(`^(?:${source})$`, flags).test("");
  } catch {
    return false;
  }
}

/** RE2's leading `(?i)` becomes PostgreSQL's case-insensitive operator; the rest is shared syntax. */
function splitFlags(pattern: string): { source: string; flags: string } {
  return pattern.startsWith("(?i)") ? { source: pattern.slice(4), flags: "i" } : { source: pattern, flags: "" };
}

function regexCondition(value: SQL, pattern: string, anchored: boolean, negated: boolean): SQL {
  const { source, flags } = splitFlags(pattern);
  const text = anchored ? `^(?:${source})$` : source;
  const op = negated ? (flags ? sql.raw("!~*") : sql.raw("!~")) : flags ? sql.raw("~*") : sql.raw("~");
  return sql`(coalesce(${value}, '') ${op} ${text})`;
}

/** A string match with Loki's meaning for an absent label: the empty string. */
function textCondition(value: SQL, op: MatchOp, expected: string): SQL {
  switch (op) {
    case "=":
      return expected === "" ? sql`(${value} IS NULL OR ${value} = '')` : sql`(${value} = ${expected})`;
    case "!=":
      return expected === "" ? sql`(${value} IS NOT NULL AND ${value} <> '')` : sql`(${value} IS DISTINCT FROM ${expected})`;
    case "=~":
      return regexCondition(value, expected, true, false);
    case "!~":
      return regexCondition(value, expected, true, true);
  }
}

function matchCondition(label: string, op: MatchOp, expected: string, parsed: boolean): SQL {
  if (ERROR_LABELS.includes(label)) return textCondition(sql`NULL::text`, op, expected);
  if (label === "service" || label === "team") return sql`e.service_id = ANY(ARRAY(${serviceIdsWhere([{ label, op, value: expected }])}))`;
  if (label === "level") {
    // Every event has a level, one of a few: the matcher is decided here, as the set of levels it keeps.
    const keeps = decided(SEVERITIES, (level) => valueMatches(level, op, expected));
    if (keeps) return sql`(e.level = ANY(${`{${keeps.join(",")}}`}::severity[]))`;
  }
  if (label === "status" && op === "=" && /^\d{1,5}$/.test(expected)) return sql`(e.http_status = ${Number(expected)})`;
  if (label === "status" && op === "=~") {
    // The HTTP codes a status regex keeps, as a list the status index can take; values
    // outside 100–599 (none arrive through ingest's validation) still meet the regex itself.
    const codes = decided(Array.from({ length: 500 }, (_, i) => i + 100), (code) => valueMatches(String(code), op, expected));
    const absent = valueMatches("", op, expected);
    if (codes && absent !== undefined) {
      return sql`(e.http_status = ANY(${`{${codes.join(",")}}`}::smallint[]) OR (e.http_status NOT BETWEEN 100 AND 599 AND ${regexCondition(sql`e.http_status::text`, expected, true, false)})${absent ? sql` OR e.http_status IS NULL` : sql``})`;
    }
  }
  return textCondition(labelText(label, parsed), op, expected);
}

/**
 * Whether a label value meets a matcher, decided in JavaScript for closed vocabularies;
 * undefined when the regex is not one JavaScript reads as RE2 would (then SQL decides).
 */
export function valueMatches(value: string, op: MatchOp, expected: string): boolean | undefined {
  if (op === "=") return value === expected;
  if (op === "!=") return value !== expected;
  const { source, flags } = splitFlags(expected);
  if (/\\[pPQEzAbB]|\(\?[^:]|\[\[:/.test(source)) return undefined; // classes, anchors and groups the two dialects spell differently
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${source})$`, `${flags}u`);
  } catch {
    return undefined;
  }
  return regex.test(value) === (op === "=~");
}

/** The values `keeps` says yes to, or undefined when it could not decide one of them. */
function decided<T>(values: readonly T[], keeps: (value: T) => boolean | undefined): T[] | undefined {
  const verdicts = values.map(keeps);
  return verdicts.includes(undefined) ? undefined : values.filter((_, i) => verdicts[i]);
}

/** The ids of the services that every service and team matcher keeps: one statement, run before the query or inside it. */
export function serviceIdsWhere(matchers: Matcher[]): SQL {
  const conditions = matchers.map((m) => textCondition(m.label === "service" ? sql`candidate.name` : sql`candidate.owner_team`, m.op, m.value));
  return sql`SELECT candidate.id FROM services candidate WHERE ${sql.join(conditions, sql` AND `)}`;
}

function lineCondition(filter: LineFilter): SQL {
  const line = sql`coalesce(e.message, '')`;
  const each = filter.values.map((value) => {
    if (filter.op === "|=" || filter.op === "!=") return value === "" ? sql`true` : sql`(strpos(${line}, ${value}) > 0)`;
    return regexCondition(line, value, false, false);
  });
  const any = each.length === 1 ? each[0]! : sql`(${sql.join(each, sql` OR `)})`;
  return filter.op === "|=" || filter.op === "|~" ? any : sql`(NOT ${any})`;
}

const SQL_COMPARE = { "==": "=", "=": "=", "!=": "<>", ">": ">", ">=": ">=", "<": "<", "<=": "<=" } as const;

function labelFilterCondition(filter: LabelFilter, parsed: boolean): SQL {
  switch (filter.kind) {
    case "and":
      return sql`(${labelFilterCondition(filter.left, parsed)} AND ${labelFilterCondition(filter.right, parsed)})`;
    case "or":
      return sql`(${labelFilterCondition(filter.left, parsed)} OR ${labelFilterCondition(filter.right, parsed)})`;
    case "match":
      if (!parsed && isParsedLabel(filter.label)) throw unsupported(`\`${filter.label}\` before \`| json\` or \`| logfmt\`: put the parser first`);
      return matchCondition(filter.label, filter.op, filter.value, parsed);
    case "compare":
      return sql`(${labelNumber(filter.label, parsed)} ${sql.raw(SQL_COMPARE[filter.op])} ${filter.value})`;
  }
}

// --- log queries ---

export type LinesQuery = { selector: LogSelector; window: TimeWindow; direction: "backward" | "forward"; limit: number; serviceIds?: number[] };

/**
 * A log query's lines in [from, to), newest first (backward) or oldest first, at most
 * `limit`. The service and team are scalar subqueries: they run only for the rows the
 * LIMIT keeps, so the planner walks (service_id, ts) in order instead of joining the range.
 */
export function linesStatement(query: LinesQuery): SQL {
  const { condition, parsed } = selectorCondition(query.selector, query.serviceIds);
  const order = query.direction === "backward" ? sql.raw("DESC") : sql.raw("ASC");
  return sql`
    SELECT ${lineColumns(parsed)}
    FROM log_events e
    WHERE e.ts >= ${timestamp(query.window.fromUs)} AND e.ts < ${timestamp(query.window.toUs)} AND ${condition}
    ORDER BY e.ts ${order}, e.id ${order}
    LIMIT ${query.limit}`;
}

/** What a line carries: its time in microseconds, id, stream labels, text, and the parsed labels when a parser ran. */
function lineColumns(parsed: boolean): SQL {
  return sql`(extract(epoch FROM e.ts) * 1000000)::bigint::text AS ts_us, e.id,
           (SELECT name FROM services WHERE id = e.service_id) AS service,
           (SELECT owner_team FROM services WHERE id = e.service_id) AS team,
           e.level::text AS level, e.http_status::text AS status, e.http_method AS method, e.http_route AS route,
           e.error_code, e.message,
           ${parsed ? sql`e.latency_ms::text AS latency_ms, e.trace_id, e.span_id, e.attributes` : sql`NULL::text AS latency_ms, NULL::text AS trace_id, NULL::text AS span_id, NULL::jsonb AS attributes`}`;
}

/** A stored batch as the ingest journal (ingest_batches) describes it. */
export type JournalBatch = { firstId: string; lastId: string; firstTs: string; lastTs: string };

/**
 * The lines of the given batches that a tail's selector matches, oldest first. Each batch
 * is found by its time and id ranges on the (ts, id) primary key; a line of a concurrent
 * batch whose ids interleave may come twice, and the tail drops the repeat.
 */
export function batchLinesStatement(selector: LogSelector, batches: JournalBatch[], serviceIds?: number[]): SQL {
  const { condition, parsed } = selectorCondition(selector, serviceIds);
  // One text parameter per column, read as an array literal: the values are digits and timestamps.
  const column = (pick: (b: JournalBatch) => string) => `{${batches.map((b) => `"${pick(b)}"`).join(",")}}`;
  return sql`
    SELECT ${lineColumns(parsed)}
    FROM unnest(${column((b) => b.firstId)}::bigint[], ${column((b) => b.lastId)}::bigint[], ${column((b) => b.firstTs)}::timestamptz[], ${column((b) => b.lastTs)}::timestamptz[])
      AS b(first_id, last_id, first_ts, last_ts)
    JOIN LATERAL (SELECT * FROM log_events e WHERE e.ts BETWEEN b.first_ts AND b.last_ts AND e.id BETWEEN b.first_id AND b.last_id) e ON true
    WHERE ${condition}
    ORDER BY e.ts, e.id`;
}

// --- metric queries ---

/** Evaluation instants: start, start + step, … up to end (Prometheus' and Loki's grid). */
export type Steps = { startUs: number; stepMs: number; count: number };

export function stepsOf(startUs: number, endUs: number, stepMs: number): Steps {
  const count = Math.floor((endUs - startUs) / 1000 / stepMs) + 1;
  if (count > MAX_POINTS_PER_SERIES) {
    throw new LogQLError(`exceeded maximum resolution of ${MAX_POINTS_PER_SERIES} points per timeseries. Try increasing the value of the step parameter`);
  }
  return { startUs, stepMs, count };
}

/** Functions whose per-stream values add up to the value for a group of streams. */
export const ADDITIVE: readonly RangeAggregation["fn"][] = ["count_over_time", "rate", "bytes_over_time", "bytes_rate", "sum_over_time"];

/**
 * One range aggregation at every step, grouped by `labels` (columns l0, l1, … in order),
 * as rows (k, l…, value). An event at ts counts for step k when t_k − range < ts ≤ t_k:
 * one step when step ≥ range (the usual `[$__auto]`), several when ranges overlap.
 */
export function rangeStatement(range: RangeAggregation, labels: readonly string[], steps: Steps, serviceIds?: number[]): SQL {
  const { condition, parsed } = selectorCondition(range.selector, serviceIds);
  const rangeMs = range.rangeMs;
  const seconds = rangeMs / 1000;
  const value = range.unwrap ? labelNumber(range.unwrap, parsed) : undefined;
  if (range.fn === "quantile_over_time" && !(range.param! >= 0 && range.param! <= 1)) throw unsupported(`quantile_over_time with φ = ${range.param} (it must be between 0 and 1)`);
  const aggregate = ((): SQL => {
    switch (range.fn) {
      case "count_over_time":
        return sql`count(*)::float8`;
      case "rate":
        return value ? sql`sum(${value}) / ${seconds}::float8` : sql`count(*) / ${seconds}::float8`;
      case "bytes_over_time":
        return sql`sum(octet_length(coalesce(e.message, '')))::float8`;
      case "bytes_rate":
        return sql`sum(octet_length(coalesce(e.message, ''))) / ${seconds}::float8`;
      case "sum_over_time":
        return sql`sum(${value})`;
      case "avg_over_time":
        return sql`avg(${value})`;
      case "min_over_time":
        return sql`min(${value})`;
      case "max_over_time":
        return sql`max(${value})`;
      case "quantile_over_time":
        return sql`percentile_cont(${range.param}::float8) WITHIN GROUP (ORDER BY ${value})`;
    }
  })();
  const start = timestamp(steps.startUs);
  const last = steps.count - 1;
  const endUs = steps.startUs + last * steps.stepMs * 1000;
  const columns = labels.map((label, i) => sql`${labelText(label, parsed)} AS ${sql.identifier(`l${i}`)}`);
  const groupColumns = labels.map((_, i) => sql.identifier(`l${i}`));
  const scope = sql`
    FROM log_events e
    JOIN services s ON s.id = e.service_id`;
  const where = sql`e.ts > ${timestamp(steps.startUs - rangeMs * 1000)} AND e.ts <= ${timestamp(endUs)} AND ${condition}
      ${value ? sql`AND ${value} IS NOT NULL` : sql``}`;
  if (steps.stepMs >= rangeMs) {
    // Windows that do not overlap (the usual step = range): a line belongs to the first step
    // at or after it, t_k, found by binning (t_k−1, t_k] with date_bin, and counts when it is
    // within the range of t_k. Grouped by the bin; the step index is worked out per group.
    const bin = sql`date_bin(${`${steps.stepMs} milliseconds`}::interval, e.ts - interval '1 microsecond', ${start})`;
    const binned = labels.map((_, i) => sql.raw(`, ${i + 2}`));
    return sql`
      SELECT (round(extract(epoch FROM (g.bin - ${start})) * 1000 / ${steps.stepMs}) + 1)::int AS k${groupColumns.length ? sql`, ${sql.join(groupColumns, sql`, `)}` : sql``}, g.value
      FROM (
        SELECT ${bin} AS bin${columns.length ? sql`, ${sql.join(columns, sql`, `)}` : sql``}, ${aggregate} AS value
        ${scope}
        WHERE ${where}${steps.stepMs > rangeMs ? sql` AND e.ts > ${bin} + ${`${steps.stepMs - rangeMs} milliseconds`}::interval` : sql``}
        GROUP BY 1${sql.join(binned, sql``)}
      ) g`;
  }
  // Overlapping windows: a line counts for every step whose window holds it.
  const sinceStartMs = sql`(extract(epoch FROM (e.ts - ${start})) * 1000)`;
  return sql`
    SELECT k${columns.length ? sql`, ${sql.join(columns, sql`, `)}` : sql``}, ${aggregate} AS value
    ${scope}
    CROSS JOIN LATERAL generate_series(
      greatest(0, ceil(${sinceStartMs} / ${steps.stepMs})::int),
      least(${last}, (ceil((${sinceStartMs} + ${rangeMs}) / ${steps.stepMs}) - 1)::int)) AS k
    WHERE ${where}
    GROUP BY k${groupColumns.length ? sql`, ${sql.join(groupColumns, sql`, `)}` : sql``}`;
}

/** The labels a range aggregation's own series carry: its grouping, else every stream label. */
export function seriesLabels(range: RangeAggregation): readonly string[] {
  const parsed = range.selector.stages.some((s) => s.kind === "parser");
  if (range.grouping && !range.grouping.without) return range.grouping.labels;
  if (parsed) {
    throw unsupported(
      `${range.fn} over \`| json\` or \`| logfmt\` without \`by (...)\`: every parsed label would make its own series; group it, e.g. sum by (service) (${range.fn}(...))`,
    );
  }
  const dropped = range.grouping?.labels ?? [];
  return STREAM_LABELS.filter((l) => !dropped.includes(l));
}
