import { parseDuration } from "../domain/time-expression.ts";

export const DEFAULT_WINDOW = "5m";
const MAX_WINDOW_MS = 24 * 3_600_000;

/** A status window like `5m` or `24h`, in ms; undefined when malformed or out of range. */
export function parseWindow(text: string): number | undefined {
  const ms = parseDuration(text);
  return ms !== undefined && ms >= 1_000 && ms <= MAX_WINDOW_MS ? ms : undefined;
}
