import { ROLLUP_BUCKETS } from "./rollup-sql.ts";

/**
 * How a window (from, to] is read: raw events for the partial minutes at either end,
 * minute roll-ups up to the first and from the last whole hour, hour roll-ups between.
 * As instants, from ≤ m0 ≤ h0 ≤ h1 ≤ m1 ≤ to:
 *   raw     ts ∈ (from, m0) ∪ [m1, to]
 *   minutes bucket ∈ [m0, h0) ∪ [h1, m1)
 *   hours   bucket ∈ [h0, h1)
 * Every instant of the window is in exactly one part, and every bucket read lies inside
 * the window. A window with no whole minute is all raw (m0 = m1 = to). Pure.
 */
export type WindowPlan = { from: Date; m0: Date; h0: Date; h1: Date; m1: Date; to: Date };

const MINUTE = ROLLUP_BUCKETS.minute * 1000;
const HOUR = ROLLUP_BUCKETS.hour * 1000;
const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;

export function planWindow(from: Date, to: Date): WindowPlan {
  const start = from.getTime();
  const end = to.getTime();
  let m0 = ceilTo(start, MINUTE);
  let m1 = floorTo(end, MINUTE);
  if (m0 > m1) m0 = m1 = end;
  let h0 = ceilTo(m0, HOUR);
  let h1 = floorTo(m1, HOUR);
  if (h0 >= h1) h0 = h1 = m1;
  const at = (t: number) => new Date(t);
  return { from, m0: at(m0), h0: at(h0), h1: at(h1), m1: at(m1), to };
}
