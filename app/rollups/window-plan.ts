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
 *   minutes bucket ∈ [m0, h0) ∪ [h1, m1)
 *   hours   bucket ∈ [h0, h1)
 * Every instant is in exactly one part. Pure.
 */
export type WindowPlan = { from: Date; m0: Date; h0: Date; h1: Date; m1: Date; to: Date };

const MINUTE = ROLLUP_BUCKETS.minute * 1000;
const HOUR = ROLLUP_BUCKETS.hour * 1000;
const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;

export function planWindow(from: Date, to: Date): WindowPlan {
  const start = from.getTime();
  const end = to.getTime();
  const at = (t: number) => new Date(t);
  if (end - start < MINUTE) return { from, m0: to, h0: to, h1: to, m1: to, to };
  const m0 = floorTo(start, MINUTE);
  const m1 = floorTo(end, MINUTE) + MINUTE;
  let h0 = ceilTo(m0, HOUR);
  let h1 = floorTo(m1, HOUR);
  if (h0 >= h1) h0 = h1 = m1;
  return { from: at(m0), m0: at(m0), h0: at(h0), h1: at(h1), m1: at(m1), to };
}
