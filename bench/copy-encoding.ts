import type { LogEvent } from "../app/domain/log-event.ts";

// PostgreSQL COPY text format: one line per row, tab-separated, \N for NULL, and
// backslash escapes for the characters that would otherwise end a field or a row.

export const COPY_COLUMNS = [
  "ts",
  "service_id",
  "level",
  "message",
  "http_method",
  "http_route",
  "http_status",
  "error_code",
  "latency_ms",
  "trace_id",
  "span_id",
  "attributes",
] as const;

const NULL = "\\N";
const SPECIAL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

export function copyField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return NULL;
  if (typeof value === "number") return String(value);
  return value.replace(SPECIAL, (c) => ESCAPES[c]!);
}

export function copyRow(event: LogEvent, serviceId: number): string {
  return [
    event.timestamp.toISOString(),
    serviceId,
    event.level,
    event.message,
    event.method,
    event.route,
    event.status,
    event.error_code,
    event.latency_ms,
    event.trace_id,
    event.span_id,
    event.attributes === undefined ? null : JSON.stringify(event.attributes),
  ]
    .map(copyField)
    .join("\t") + "\n";
}
