import { ROLLUP_BUCKETS } from "./rollup-sql.ts";

/**
 * How a window ending at `to` is read. A window of a minute or more covers whole minutes,
 * all from roll-ups: the minute `to` falls in (so far) and the minutes back to the one
 * `from` falls in, so `5m` counts between five and six minutes of events. Counting the
 * partial minutes at either end from raw events instead would read up to two minutes of
 * raw traffic per call, which at tens of thousands of events a second costs seconds. A
 * window under a minute is read from raw events, exactly (from, to].
 * As instants, m0 ≤ h0 ≤ h1 ≤ m1:
 *   raw     ts ∈ (from, m0) ∪ [m1, to]   (empty unless the window is under a minute)
 *   hours   bucket ∈ [h0, h1)            (the hours the window covers whole)
 *   parts   the rest of [m0, m1): the partly covered hours at either end (edgeParts)
 * Every instant is counted exactly once. Pure.
 */
export type WindowPlan = { from: Date; m0: Date; h0: Date; h1: Date; m1: Date; to: Date; parts: RollupPart[] };

/**
 * Roll-up rows of one granularity with bucket ∈ [from, to), added (sign 1) or taken away
 * (sign -1). Taking away is exact: an hour's row holds the sum of its minutes' rows (counts
 * and histogram buckets alike) in every snapshot, since ingest and compaction write both in
 * one statement.
 */
export type RollupPart = { granularity: keyof typeof ROLLUP_BUCKETS; from: Date; to: Date; sign: 1 | -1 };

const MINUTE = ROLLUP_BUCKETS.minute * 1000;
const HOUR = ROLLUP_BUCKETS.hour * 1000;
const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;

export function planWindow(from: Date, to: Date): WindowPlan {
  const start = from.getTime();
  const end = to.getTime();
  const at = (t: number) => new Date(t);
  if (end - start < MINUTE) return { from, m0: to, h0: to, h1: to, m1: to, to, parts: [] };
  const m0 = floorTo(start, MINUTE);
  const m1 = floorTo(end, MINUTE) + MINUTE;
  const h0 = ceilTo(m0, HOUR);
  const h1 = floorTo(m1, HOUR);
  if (h0 > h1) {
    // Inside one hour: no whole hour.
    return { from: at(m0), m0: at(m0), h0: at(m1), h1: at(m1), m1: at(m1), to, parts: edgeParts(floorTo(m0, HOUR), m0, m1, m1) };
  }
  const parts = [...(m0 < h0 ? edgeParts(h0 - HOUR, m0, h0, m1) : []), ...(h1 < m1 ? edgeParts(h1, h1, m1, m1) : [])];
  return { from: at(m0), m0: at(m0), h0: at(h0), h1: at(h1), m1: at(m1), to, parts };
}

/**
 * The minutes [a, b) of the hour starting at `hour`, read the cheaper way: their minute rows,
 * or the hour's row less the minute rows outside [a, b). Cost is counted in minute rows
 * read; minutes from `live` on (after the current one) count nothing, since only events
 * stamped in the future land there. So the current hour is its own row less (almost always
 * empty) future minutes, and an edge hour more than half covered is its row less the rest.
 */
function edgeParts(hour: number, a: number, b: number, live: number): RollupPart[] {
  const minutes = (x: number, y: number) => Math.max(0, Math.min(y, live) - x) / MINUTE;
  const added = minutes(a, b);
  const takenAway = 1 + minutes(hour, a) + minutes(b, hour + HOUR);
  const part = (granularity: RollupPart["granularity"], from: number, to: number, sign: 1 | -1): RollupPart => ({ granularity, from: new Date(from), to: new Date(to), sign });
  if (added <= takenAway) return [part("minute", a, b, 1)];
  return [
    part("hour", hour, hour + HOUR, 1),
    ...(hour < a ? [part("minute", hour, a, -1)] : []),
    ...(b < hour + HOUR ? [part("minute", b, hour + HOUR, -1)] : []),
  ];
}
