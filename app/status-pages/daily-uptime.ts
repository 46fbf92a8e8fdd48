import type { ServiceState } from "../domain/vocabulary.ts";
import { uptimeRatio, type Transition } from "../status/uptime.ts";

const DAY_MS = 86_400_000;

/** One UTC day of a status page's uptime bar; `ratio` null when nothing was known that day. */
export type DayUptime = { day: string; ratio: number | null };

/**
 * The last `days` UTC days up to `now` (today so far last), each with its uptime from the
 * recorded transitions: `initial` is the state in force at the first day's start. Pure.
 */
export function dailyUptime(initial: ServiceState | null, transitions: Transition[], now: Date, days: number): DayUptime[] {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const out: DayUptime[] = [];
  let state = initial;
  for (let i = days - 1; i >= 0; i--) {
    const from = today - i * DAY_MS;
    const to = Math.min(from + DAY_MS, now.getTime());
    const inDay = transitions.filter((t) => t.at.getTime() >= from && t.at.getTime() < to);
    out.push({ day: new Date(from).toISOString().slice(0, 10), ratio: uptimeRatio(state, inDay, new Date(from), new Date(to)) });
    state = inDay.length ? inDay[inDay.length - 1]!.toState : state;
  }
  return out;
}
