import { parseSeverity } from "../../domain/severity.ts";
import { isStorableInstant, unstorable, unstorableJson } from "../../domain/text.ts";
import { PRINTABLE_NAME } from "../../domain/names.ts";
import { FIELD_LIMITS, HTTP_METHOD, LogEventInput, timestampMs, type LogEventFields } from "./native-schema.ts";

/**
 * One event checked against the native schema's rules without zod, for the common case of
 * an event that passes: zod took 33 ms of a 5,000-event batch's 48 ms of parsing, in the
 * worker whose core PostgreSQL also needs (#15). Answers the event zod would give, or
 * undefined for anything this path does not vouch for, which zod then checks and explains.
 * It reuses the schema's own bounds and helpers; a differential test holds the two to the
 * same answers (native-fast-path.test.ts).
 */
export function fastLogEvent(raw: unknown): LogEventFields | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const out: Partial<Record<keyof LogEventFields, unknown>> = {};
  let hasService = false;
  for (const key of Object.keys(raw)) {
    const v = (raw as Record<string, unknown>)[key];
    // An optional field given as undefined (records built in code) is one left out, as in zod.
    if (v === undefined && OPTIONAL.has(key)) continue;
    switch (key) {
      case "service":
        if (!isName(v, FIELD_LIMITS.service)) return undefined;
        hasService = true;
        out.service = v;
        break;
      case "timestamp": {
        if (typeof v !== "string" && typeof v !== "number") return undefined;
        const ms = timestampMs(v);
        if (!isStorableInstant(ms)) return undefined;
        out.timestamp = new Date(ms);
        break;
      }
      case "level": {
        const level = typeof v === "string" ? parseSeverity(v) : undefined;
        if (!level) return undefined;
        out.level = level;
        break;
      }
      case "message":
      case "route":
        if (!isText(v, FIELD_LIMITS[key])) return undefined;
        out[key] = v;
        break;
      case "method":
        if (typeof v !== "string" || !HTTP_METHOD.test(v)) return undefined;
        out.method = v.toUpperCase();
        break;
      case "status":
        if (!Number.isSafeInteger(v) || (v as number) < FIELD_LIMITS.status.min || (v as number) > FIELD_LIMITS.status.max) return undefined;
        out.status = v;
        break;
      case "latency_ms":
        if (typeof v !== "number" || !Number.isFinite(v) || v < FIELD_LIMITS.latency_ms.min || v > FIELD_LIMITS.latency_ms.max) return undefined;
        out.latency_ms = v;
        break;
      case "error_code":
      case "trace_id":
      case "span_id":
        if (!isName(v, FIELD_LIMITS[key])) return undefined;
        out[key] = v;
        break;
      case "attributes":
        // zod copies a record key by key, and a "__proto__" key does not survive that: leave such records to it.
        if (typeof v !== "object" || v === null || Array.isArray(v) || Object.hasOwn(v, "__proto__") || unstorableJson(v)) return undefined;
        out.attributes = v;
        break;
      default:
        return undefined;
    }
  }
  return hasService ? (out as LogEventFields) : undefined;
}

const OPTIONAL = new Set(Object.keys(LogEventInput.shape).filter((k) => k !== "service"));
const isName = (v: unknown, max: number): v is string => typeof v === "string" && v.length >= 1 && v.length <= max && PRINTABLE_NAME.test(v);
const isText = (v: unknown, max: number): v is string => typeof v === "string" && v.length <= max && unstorable(v) === undefined;

/** The native schema's verdict on one event: the fast path's when it vouches for it, zod's otherwise. */
export function checkLogEvent(raw: unknown): ReturnType<typeof LogEventInput.safeParse> {
  const fast = fastLogEvent(raw);
  return fast ? { success: true, data: fast } : LogEventInput.safeParse(raw);
}
