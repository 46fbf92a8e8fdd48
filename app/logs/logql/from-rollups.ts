import { sql, type SQL } from "drizzle-orm";
import { SEVERITIES } from "../../domain/vocabulary.ts";
import { ROLLUP_BUCKETS, ROLLUP_TABLE } from "../../rollups/rollup-sql.ts";
import type { RangeAggregation } from "./ast.ts";
import { isoMicros, selectorCondition, timestamp, valueMatches, type Steps } from "./compile.ts";

// Counting lines per step from the minute roll-ups instead of the events: what Grafana's
// log-volume histogram and the dashboards' volume panels ask (`sum by (level)
// (count_over_time({service="x"}[1m]))`). A roll-up row holds a service's lines of one
// minute [m, m + 1 min) per level, so a step whose window is whole minutes sums a few rows
// per service instead of reading every line. Loki's windows are (t − range, t], the
// minutes' [t − range, t): the lines at exactly those two instants are read from
// log_events and the difference applied (boundaryStatement, correct), so the answer is
// the events' own, to the line.

const MINUTE_MS = ROLLUP_BUCKETS.minute * 1000;
const ROLLED_UP_LABELS = ["service", "team", "level"];

/** Whether the roll-ups answer this range aggregation exactly. */
export function rollupsAnswer(range: RangeAggregation, labels: readonly string[], steps: Steps): boolean {
  return (
    (range.fn === "count_over_time" || range.fn === "rate") &&
    !range.unwrap &&
    range.selector.stages.every((s) => s.kind === "drop") &&
    range.selector.matchers.every((m) => ROLLED_UP_LABELS.includes(m.label) && (m.label !== "level" || levelsKept(range) !== undefined)) &&
    labels.every((l) => ROLLED_UP_LABELS.includes(l)) &&
    range.rangeMs % MINUTE_MS === 0 &&
    steps.stepMs % MINUTE_MS === 0 &&
    steps.stepMs >= range.rangeMs &&
    steps.startUs % (MINUTE_MS * 1000) === 0
  );
}

/** The levels the selector's level matchers keep (all of them without one); undefined if one cannot be decided here. */
function levelsKept(range: RangeAggregation): string[] | undefined {
  let kept: string[] = [...SEVERITIES];
  for (const m of range.selector.matchers.filter((m) => m.label === "level")) {
    const verdicts = SEVERITIES.map((level) => valueMatches(level, m.op, m.value));
    if (verdicts.includes(undefined)) return undefined;
    kept = kept.filter((level) => verdicts[SEVERITIES.indexOf(level as never)]);
  }
  return kept;
}

const LABEL_SQL: Record<string, SQL> = { service: sql`s.name`, team: sql`s.owner_team`, level: sql`lv.level` };

/**
 * Lines per step k and `labels` (columns l0, l1, …) from the minute rows: a minute m counts
 * for the step t_k with t_k − range ≤ m < t_k (at most one, as step ≥ range). Counts, not
 * rates: the caller divides, after the boundary correction.
 */
export function rollupCountStatement(range: RangeAggregation, labels: readonly string[], steps: Steps, serviceIds: number[] | undefined): SQL {
  const start = timestamp(steps.startUs);
  const last = steps.count - 1;
  const step = sql`${`${steps.stepMs} milliseconds`}::interval`;
  const levels = SEVERITIES.map((level) => sql`(${level}, r.${sql.identifier(`level_${level}`)})`);
  const columns = labels.map((label, i) => sql`, ${LABEL_SQL[label]} AS ${sql.identifier(`l${i}`)}`);
  const grouped = labels.map((_, i) => sql.raw(`, ${i + 2}`));
  const outer = labels.map((_, i) => sql`, ${sql.identifier(`l${i}`)}`);
  return sql`
    SELECT (round(extract(epoch FROM (g.bin - ${start})) * 1000 / ${steps.stepMs}) + 1)::int AS k${sql.join(outer, sql``)}, g.value
    FROM (
      SELECT date_bin(${step}, r.ts, ${start}) AS bin${sql.join(columns, sql``)}, sum(lv.n)::float8 AS value
      FROM ${sql.identifier(ROLLUP_TABLE)} r
      JOIN services s ON s.id = r.service_id
      CROSS JOIN LATERAL (VALUES ${sql.join(levels, sql`, `)}) AS lv(level, n)
      WHERE r.bucket_seconds = ${ROLLUP_BUCKETS.minute}
        AND r.ts >= ${timestamp(steps.startUs - range.rangeMs * 1000)} AND r.ts < ${timestamp(steps.startUs + last * steps.stepMs * 1000)}
        AND r.ts >= date_bin(${step}, r.ts, ${start}) + ${`${steps.stepMs - range.rangeMs} milliseconds`}::interval
        AND lv.n > 0 AND lv.level = ANY(${`{${levelsKept(range)!.join(",")}}`}::text[])
        ${serviceIds ? sql`AND r.service_id = ANY(${`{${serviceIds.join(",")}}`}::int[])` : sql``}
      GROUP BY 1${sql.join(grouped, sql``)}
    ) g`;
}

/** The instants where the minutes' windows and Loki's differ: every step's t_k and t_k − range, in microseconds. */
export function boundaryInstants(range: RangeAggregation, steps: Steps): number[] {
  const instants = new Set<number>();
  for (let k = 0; k < steps.count; k++) {
    const t = steps.startUs + k * steps.stepMs * 1000;
    instants.add(t);
    instants.add(t - range.rangeMs * 1000);
  }
  return [...instants].sort((x, y) => x - y);
}

/** The selector's lines at exactly those instants, counted per instant and `labels`. */
export function boundaryStatement(range: RangeAggregation, labels: readonly string[], instants: number[], serviceIds: number[] | undefined): SQL {
  const { condition } = selectorCondition(range.selector, serviceIds);
  const columns = labels.map((label, i) => sql`, ${label === "level" ? sql`e.level::text` : LABEL_SQL[label]} AS ${sql.identifier(`l${i}`)}`);
  const grouped = labels.map((_, i) => sql.raw(`, ${i + 2}`));
  const literal = `{${instants.map((us) => `"${isoMicros(us)}"`).join(",")}}`;
  return sql`
    SELECT (extract(epoch FROM e.ts) * 1000000)::bigint::text AS ts_us${sql.join(columns, sql``)}, count(*)::int AS n
    FROM log_events e JOIN services s ON s.id = e.service_id
    WHERE e.ts = ANY(${literal}::timestamptz[]) AND ${condition}
    GROUP BY 1${sql.join(grouped, sql``)}`;
}

/**
 * Loki's count from the minutes' one: a line at exactly t_k counts for step k (the minutes
 * put it in the next window, or none); one at exactly t_j − range does not count for j
 * (the minutes put it there). `add(k, n)` applies each difference.
 */
export function correct(instantUs: number, n: number, range: RangeAggregation, steps: Steps, add: (k: number, delta: number) => void) {
  const stepUs = steps.stepMs * 1000;
  const atStep = (us: number) => {
    const k = (us - steps.startUs) / stepUs;
    return Number.isInteger(k) && k >= 0 && k < steps.count ? k : undefined;
  };
  const k = atStep(instantUs);
  if (k !== undefined) add(k, n);
  const j = atStep(instantUs + range.rangeMs * 1000);
  if (j !== undefined) add(j, -n);
}
