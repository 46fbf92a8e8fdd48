import { parseDuration } from "../domain/time-expression.ts";

export const DEFAULT_WINDOW = "5m";
const MAX_WINDOW_MS = 24 * 3_600_000;
/** What a window may be, as the API and its documentation say it. */
export const WINDOW_RULE = "a duration from 1s to 24h, like 30s, 5m or 1h";

/** A status window like `5m` or `24h`, in ms; undefined when malformed or out of range. */
export function parseWindow(text: string): number | undefined {
  const ms = parseDuration(text);
  return ms !== undefined && ms >= 1_000 && ms <= MAX_WINDOW_MS ? ms : undefined;
}
