import { parseSeverity } from "../../domain/severity.ts";

// Lenient mode: what the shippers people already run send (pino, Fluent Bit, Vector,
// Docker's json-file, pino-http-send) mapped onto Failsight's fields, and everything else
// kept in `attributes`, instead of a batch refused for a field it does not know.

/** pino's numeric levels. */
const PINO_LEVELS: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

/** Each of our fields, and the names shippers give it, in the order they are tried. */
const ALIASES: Record<string, readonly string[]> = {
  service: ["service", "service_name", "service.name", "app", "name"],
  timestamp: ["timestamp", "time", "@timestamp", "ts", "date"],
  level: ["level", "severity", "lvl", "loglevel", "severity_text"],
  message: ["message", "msg", "log", "body"],
  method: ["method", "http_method"],
  route: ["route", "http_route"],
  status: ["status", "status_code", "statusCode"],
  error_code: ["error_code", "error.type", "errorCode"],
  latency_ms: ["latency_ms", "duration_ms", "responseTime", "response_time"],
  trace_id: ["trace_id", "traceId", "trace.id"],
  span_id: ["span_id", "spanId", "span.id"],
};

/** One event as a shipper wrote it, turned into Failsight's shape; what fits nowhere goes to attributes. */
export function liftAliases(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw;
  const rest: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  const event: Record<string, unknown> = {};
  for (const [field, names] of Object.entries(ALIASES)) {
    const name = names.find((n) => rest[n] !== undefined && rest[n] !== null);
    if (name === undefined) continue;
    const value = normalise(field, rest[name]);
    if (value === undefined) continue; // left where it was: it goes to attributes below
    event[field] = value;
    delete rest[name];
  }
  const given = typeof rest.attributes === "object" && rest.attributes !== null && !Array.isArray(rest.attributes) ? (rest.attributes as Record<string, unknown>) : {};
  delete rest.attributes;
  const attributes = { ...rest, ...given };
  return Object.keys(attributes).length ? { ...event, attributes } : event;
}

function normalise(field: string, value: unknown): unknown {
  switch (field) {
    case "level":
      if (typeof value === "number") return PINO_LEVELS[value];
      return typeof value === "string" && parseSeverity(value) ? value : undefined;
    case "timestamp":
      // Epoch seconds (Fluent Bit's `date`, zap's `ts`) or milliseconds (pino's `time`).
      if (typeof value === "number") return value < 1e11 ? Math.round(value * 1000) : Math.round(value);
      return typeof value === "string" && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;
    case "status":
    case "latency_ms": {
      const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
      return typeof n === "number" && Number.isFinite(n) ? n : undefined;
    }
    case "message":
      return typeof value === "string" ? value : JSON.stringify(value);
    default:
      return typeof value === "string" ? value : undefined;
  }
}
