import { parseSeverity } from "../../domain/severity.ts";
import { isStorableInstant, MAX_JSON_DEPTH, MIN_INSTANT_MS, unstorable, unstorableJson } from "../../domain/text.ts";
import type { Severity } from "../../domain/vocabulary.ts";
import { PRINTABLE_NAME } from "../../domain/names.ts";
import { FIELD_LIMITS, HTTP_METHOD, LogEventInput, timestampMs, type LogEventFields } from "./native-schema.ts";

/**
 * One event's fields as the fast path read them. A batch reuses one (no object per event);
 * `timestamp` is the text as sent when it is already in the form Date#toISOString writes
 * (it is stored as it is), epoch milliseconds otherwise, undefined when left out.
 */
export type EventSlots = {
  service: string;
  timestamp: string | number | undefined;
  level: Severity | undefined;
  message: string | undefined;
  method: string | undefined;
  route: string | undefined;
  status: number | undefined;
  error_code: string | undefined;
  latency_ms: number | undefined;
  trace_id: string | undefined;
  span_id: string | undefined;
  attributes: Record<string, unknown> | undefined;
  /** JSON text of `attributes`, written while checking them. */
  attributesJson: string | undefined;
};

export const emptySlots = (): EventSlots => ({
  service: "",
  timestamp: undefined,
  level: undefined,
  message: undefined,
  method: undefined,
  route: undefined,
  status: undefined,
  error_code: undefined,
  latency_ms: undefined,
  trace_id: undefined,
  span_id: undefined,
  attributes: undefined,
  attributesJson: undefined,
});

/**
 * One event checked against the native schema's rules without zod, for the common case of
 * an event that passes: zod took 33 ms of a 5,000-event batch's 48 ms of parsing, in the
 * worker whose core PostgreSQL also needs (#15). Fills `slots` and answers true, or false
 * for anything this path does not vouch for, which zod then checks and explains. It reuses
 * the schema's own bounds and helpers; a differential test holds the two to the same
 * answers (native-fast-path.test.ts).
 */
export function readEvent(raw: unknown, slots: EventSlots): boolean {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return false;
  let service: string | undefined;
  let timestamp: string | number | undefined;
  let level: Severity | undefined;
  let message: string | undefined;
  let method: string | undefined;
  let route: string | undefined;
  let status: number | undefined;
  let errorCode: string | undefined;
  let latency: number | undefined;
  let traceId: string | undefined;
  let spanId: string | undefined;
  let attributes: Record<string, unknown> | undefined;
  let attributesJson: string | undefined;
  // for-in, not Object.keys: no array per event. Events are plain objects (JSON.parse's, or
  // a format's literals), which inherit no enumerable keys.
  for (const key in raw) {
    const v = (raw as Record<string, unknown>)[key];
    // An optional field given as undefined (records built in code) is one left out, as in zod.
    if (v === undefined && OPTIONAL.has(key)) continue;
    switch (key) {
      case "service":
        if (!isName(v, FIELD_LIMITS.service)) return false;
        service = v;
        break;
      case "timestamp":
        if (typeof v === "string" && isToIsoString(v)) timestamp = v;
        else {
          if (typeof v !== "string" && typeof v !== "number") return false;
          const ms = timestampMs(v);
          if (!isStorableInstant(ms)) return false;
          timestamp = ms;
        }
        break;
      case "level":
        if (typeof v !== "string" || !(level = parseSeverity(v))) return false;
        break;
      case "message":
        if (!isText(v, FIELD_LIMITS.message)) return false;
        message = v;
        break;
      case "route":
        if (!isText(v, FIELD_LIMITS.route)) return false;
        route = v;
        break;
      case "method":
        if (typeof v !== "string" || !HTTP_METHOD.test(v)) return false;
        method = v.toUpperCase();
        break;
      case "status":
        if (!Number.isSafeInteger(v) || (v as number) < FIELD_LIMITS.status.min || (v as number) > FIELD_LIMITS.status.max) return false;
        status = v as number;
        break;
      case "latency_ms":
        if (typeof v !== "number" || !Number.isFinite(v) || v < FIELD_LIMITS.latency_ms.min || v > FIELD_LIMITS.latency_ms.max) return false;
        latency = v;
        break;
      case "error_code":
        if (!isName(v, FIELD_LIMITS.error_code)) return false;
        errorCode = v;
        break;
      case "trace_id":
        if (!isName(v, FIELD_LIMITS.trace_id)) return false;
        traceId = v;
        break;
      case "span_id":
        if (!isName(v, FIELD_LIMITS.span_id)) return false;
        spanId = v;
        break;
      case "attributes":
        // zod copies a record key by key, and a "__proto__" key does not survive that: leave such records to it.
        if (typeof v !== "object" || v === null || Array.isArray(v) || Object.hasOwn(v, "__proto__")) return false;
        attributesJson = storableJson(v);
        if (attributesJson === undefined) return false;
        attributes = v as Record<string, unknown>;
        break;
      default:
        return false;
    }
  }
  if (service === undefined) return false;
  slots.service = service;
  slots.timestamp = timestamp;
  slots.level = level;
  slots.message = message;
  slots.method = method;
  slots.route = route;
  slots.status = status;
  slots.error_code = errorCode;
  slots.latency_ms = latency;
  slots.trace_id = traceId;
  slots.span_id = spanId;
  slots.attributes = attributes;
  slots.attributesJson = attributesJson;
  return true;
}

const OPTIONAL = new Set(Object.keys(LogEventInput.shape).filter((k) => k !== "service"));
const isName = (v: unknown, max: number): v is string => typeof v === "string" && v.length >= 1 && v.length <= max && PRINTABLE_NAME.test(v);
const isText = (v: unknown, max: number): v is string => typeof v === "string" && v.length <= max && unstorable(v) === undefined;

/**
 * JSON text of a record PostgreSQL can store as jsonb, or undefined. JSON.stringify writes
 * a NUL or a lone surrogate, in a key or a value, as a `\u` escape, and an object nested
 * N deep has at least N opening brackets: text with neither is storable without walking
 * the record; anything else gets unstorableJson's exact walk. A record JSON.stringify
 * cannot write (thousands of levels deep) is left to zod.
 */
function storableJson(v: object): string | undefined {
  let json: string;
  try {
    json = JSON.stringify(v);
  } catch {
    // Nested past the stack (or not JSON at all): not vouched for; zod's iterative check explains.
    return undefined;
  }
  if (json.includes("\\u") || openBrackets(json) > MAX_JSON_DEPTH) return unstorableJson(v) === undefined ? json : undefined;
  return json;
}

function openBrackets(json: string): number {
  let n = 0;
  for (let i = json.indexOf("{"); i !== -1 && n <= MAX_JSON_DEPTH; i = json.indexOf("{", i + 1)) n++;
  for (let i = json.indexOf("["); i !== -1 && n <= MAX_JSON_DEPTH; i = json.indexOf("[", i + 1)) n++;
  return n;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MIN_YEAR = new Date(MIN_INSTANT_MS).getUTCFullYear();

/**
 * True when `s` is exactly what Date#toISOString writes for a storable instant
 * (2026-11-25T10:15:00.123Z, a real calendar time, 1970 to 9999): such text is stored as
 * sent, with no Date made and formatted again per event. Anything else takes the general
 * rule (timestampMs).
 */
export function isToIsoString(s: string): boolean {
  if (s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) return false;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (digits(s, 20, 3) < 0 || year < MIN_YEAR || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/** The decimal number in s[from, from + n), or -1 when any of it is not a digit. */
function digits(s: string, from: number, n: number): number {
  let value = 0;
  for (let i = from; i < from + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** The event zod would give for `raw`, or undefined for anything the fast path does not vouch for. */
export function fastLogEvent(raw: unknown): LogEventFields | undefined {
  const s = emptySlots();
  if (!readEvent(raw, s)) return undefined;
  const out: Partial<Record<keyof LogEventFields, unknown>> = { service: s.service };
  if (s.timestamp !== undefined) out.timestamp = new Date(typeof s.timestamp === "string" ? Date.parse(s.timestamp) : s.timestamp);
  for (const k of SLOT_FIELDS) if (s[k] !== undefined) out[k] = s[k];
  return out as LogEventFields;
}

/** The fields a slot holds as the event has them (all but service and timestamp). */
const SLOT_FIELDS = ["level", "message", "method", "route", "status", "error_code", "latency_ms", "trace_id", "span_id", "attributes"] as const satisfies readonly (keyof LogEventFields & keyof EventSlots)[];

/** The native schema's verdict on one event: the fast path's when it vouches for it, zod's otherwise. */
export function checkLogEvent(raw: unknown): ReturnType<typeof LogEventInput.safeParse> {
  const fast = fastLogEvent(raw);
  return fast ? { success: true, data: fast } : LogEventInput.safeParse(raw);
}
