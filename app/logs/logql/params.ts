import { DURATION_UNITS_MS } from "./lexer.ts";

// The request parameters of Loki's query API as Loki reads them (pkg/loghttp/params.go):
// times as Unix nanoseconds, Unix seconds (≤ 10 digits, or with a fraction), or RFC 3339;
// steps as a duration (`15s`, `60000ms`) or seconds; a limit; a direction. Times are kept
// in microseconds, the precision log_events stores.

export const DEFAULT_LIMIT = 100;
/** Loki's default `max_entries_limit_per_query`. */
export const MAX_LIMIT = 5000;
export const DEFAULT_RANGE_MS = 3_600_000;

export type ParamResult<T> = { ok: true; value: T } | { ok: false; message: string };

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;

export function parseTime(raw: string | undefined, fallbackUs: number, name: string): ParamResult<number> {
  if (raw === undefined || raw === "") return { ok: true, value: fallbackUs };
  if (/^-?\d+\.\d*$/.test(raw)) return { ok: true, value: Math.round(Number(raw) * 1e6) };
  if (/^-?\d+$/.test(raw)) {
    const digits = raw.replace("-", "");
    // Loki: up to 10 digits are seconds, more are nanoseconds. BigInt keeps the nanoseconds exact.
    const us = digits.length <= 10 ? Number(raw) * 1e6 : Number(BigInt(raw) / 1000n);
    return { ok: true, value: us };
  }
  const match = RFC3339.exec(raw);
  const ms = match ? Date.parse(`${match[1]}${match[3]}`) : NaN;
  if (!match || Number.isNaN(ms)) return { ok: false, message: `invalid ${name}: "${raw}" is neither Unix seconds or nanoseconds nor RFC 3339` };
  const fraction = (match[2] ?? "").padEnd(6, "0").slice(0, 6);
  return { ok: true, value: ms * 1000 + Number(fraction) };
}

/** A step as Loki takes it: `15s`, `1m30s`, `60000ms`, or a number of seconds. */
export function parseStepMs(raw: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  const parts = [...raw.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== raw) return undefined;
  return parts.reduce((ms, p) => ms + Number(p[1]) * DURATION_UNITS_MS[p[2]!]!, 0);
}

/** Loki's default step: the range over 250 points, at least a second. */
export function defaultStepMs(startUs: number, endUs: number): number {
  return Math.max(1, Math.floor((endUs - startUs) / 1e6 / 250)) * 1000;
}
