import { sql, type SQL } from "drizzle-orm";
import { unsupported } from "./errors.ts";

// The labels a LogQL query can name, and the SQL each stands for, declared once. Stream
// labels are columns of every event (aliases: `e` log_events, `s` its service); parsed labels
// exist only after `| json` or `| logfmt`, as in Loki, where the parser extracts them from the line.

export const STREAM_LABELS = ["service", "team", "level", "status", "method", "route", "error_code"] as const;
export type StreamLabel = (typeof STREAM_LABELS)[number];

const STREAM_SQL: Record<StreamLabel, SQL> = {
  service: sql`s.name`,
  team: sql`s.owner_team`,
  level: sql`e.level::text`,
  status: sql`e.http_status::text`,
  method: sql`e.http_method`,
  route: sql`e.http_route`,
  error_code: sql`e.error_code`,
};

export const PARSED_LABELS = ["latency_ms", "trace_id", "span_id"] as const;
/** `attributes_<key>`: a top-level key of the event's attributes. */
export const ATTRIBUTE_PREFIX = "attributes_";

const PARSED_SQL: Record<(typeof PARSED_LABELS)[number], SQL> = {
  latency_ms: sql`e.latency_ms::text`,
  trace_id: sql`e.trace_id`,
  span_id: sql`e.span_id`,
};

/** Labels Loki sets on errors; Failsight's parsers never fail, so they are always empty. */
export const ERROR_LABELS = ["__error__", "__error_details__"];

export function isStreamLabel(label: string): label is StreamLabel {
  return (STREAM_LABELS as readonly string[]).includes(label);
}

export function isParsedLabel(label: string): boolean {
  return (PARSED_LABELS as readonly string[]).includes(label) || (label.startsWith(ATTRIBUTE_PREFIX) && label.length > ATTRIBUTE_PREFIX.length);
}

/**
 * The label's value as text, or NULL where the event has none. A label Failsight does not
 * know, or a parsed one without a parser before it, is absent: NULL, as Loki treats it.
 */
export function labelText(label: string, parsed: boolean): SQL {
  if (isStreamLabel(label)) return STREAM_SQL[label];
  if (parsed && isParsedLabel(label)) {
    if (label.startsWith(ATTRIBUTE_PREFIX)) return sql`(e.attributes ->> ${label.slice(ATTRIBUTE_PREFIX.length)})`;
    return PARSED_SQL[label as (typeof PARSED_LABELS)[number]];
  }
  return sql`NULL::text`;
}

/** A number-valued label for comparisons and `| unwrap`: NULL where absent or not a number. */
export function labelNumber(label: string, parsed: boolean): SQL {
  if (label === "status") return sql`e.http_status::float8`;
  if (!parsed || !isParsedLabel(label)) {
    if (isParsedLabel(label)) throw unsupported(`\`${label}\` before \`| json\` or \`| logfmt\`: put the parser first, as in {...} | json | ${label} > 250`);
    throw unsupported(`numeric use of \`${label}\`: only status, latency_ms and attributes_* hold numbers`);
  }
  if (label === "latency_ms") return sql`e.latency_ms`;
  if (label.startsWith(ATTRIBUTE_PREFIX)) {
    const value = sql`(e.attributes ->> ${label.slice(ATTRIBUTE_PREFIX.length)})`;
    return sql`(CASE WHEN ${value} ~ '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$' THEN ${value}::float8 END)`;
  }
  throw unsupported(`numeric use of \`${label}\`: only status, latency_ms and attributes_* hold numbers`);
}
