import type { FieldError } from "../../domain/field-error.ts";
import { DEFAULT_SEVERITY } from "../../domain/severity.ts";
import type { LogEvent } from "../../domain/log-event.ts";
import { MAX_BATCH_EVENTS } from "../limits.ts";
import { ColumnsBuilder, type EventColumns } from "../event-columns.ts";
import type { FormatAnswer, IngestFormat, ParseContext, ParsedBatch } from "./format.ts";
import { halveJsonArray } from "./halve-json-array.ts";
import { liftAliases } from "./lenient.ts";
import { isJson, isNdjson, looksLikeOtlpJson } from "./media-types.ts";
import { checkLogEvent, emptySlots, readEvent } from "./native-fast-path.ts";
import { parseJsonBody } from "./records.ts";


const answer = (stored: number): FormatAnswer => ({ status: 200, contentType: "application/json", body: JSON.stringify({ accepted: stored }) });

/** Failsight's own format: a JSON array of events, or `{ "events": [...] }` (in lenient mode also pino-http-send's `{ "logs": [...] }`). */
export const nativeJson: IngestFormat = {
  name: "Failsight JSON (application/json)",
  reads: (mediaType, head) => isJson(mediaType) && !looksLikeOtlpJson(head.toString("utf8")),
  parse(body, context) {
    const json = parseJsonBody<unknown>(body);
    return json.ok ? parseBatch(json.value, context) : json;
  },
  parseColumns(body, context) {
    const json = parseJsonBody<unknown>(body);
    if (!json.ok) return json;
    const columns = context.lenient ? undefined : cleanBatchColumns(json.value, context.receivedAt);
    return columns ? { ok: true, columns, rejected: [] } : parseBatch(json.value, context);
  },
  // A bare array only: an `{"events": [...]}` envelope is parsed whole.
  halve: halveJsonArray,
  answer,
};

/**
 * A batch every event of which the fast path vouches for, written straight into columns:
 * no event object, Date or per-column array on the way, which were two thirds of the
 * worker's time per event and most of its garbage (#15). Undefined for any other body,
 * which parseBatch then reads and explains; the columns are the ones toColumns makes of
 * parseBatch's events (native-json.test.ts holds the two together).
 */
export function cleanBatchColumns(body: unknown, receivedAt: Date): EventColumns | undefined {
  const list = Array.isArray(body) ? body : onlyEvents(body);
  if (!list || list.length === 0 || list.length > MAX_BATCH_EVENTS) return undefined;
  const builder = new ColumnsBuilder();
  const e = emptySlots();
  let received: string | undefined;
  for (let i = 0; i < list.length; i++) {
    if (!readEvent(list[i], e)) return undefined;
    const t = e.timestamp;
    const ts = typeof t === "string" ? t : t === undefined ? (received ??= receivedAt.toISOString()) : new Date(t).toISOString();
    builder.add(e.service, ts, e.level ?? DEFAULT_SEVERITY, e.message, e.method, e.route, e.status, e.error_code, e.latency_ms, e.trace_id, e.span_id, e.attributesJson);
  }
  return builder.build();
}

/** The events of `{ "events": [...] }` with nothing else beside them. */
function onlyEvents(body: unknown): unknown[] | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const keys = Object.keys(body);
  const { events } = body as { events?: unknown };
  return keys.length === 1 && keys[0] === "events" && Array.isArray(events) ? events : undefined;
}

/** One event per line (NDJSON, JSON Lines), as log files and pino write them. */
export const nativeNdjson: IngestFormat = {
  name: "Failsight NDJSON (application/x-ndjson)",
  reads: isNdjson,
  parse(body, context) {
    const lines = body.toString("utf8").split("\n");
    const list: unknown[] = [];
    const errors: FieldError[] = [];
    for (const [n, line] of lines.entries()) {
      if (!line.trim()) continue;
      try {
        list.push(JSON.parse(line));
      } catch (error) {
        errors.push({ index: list.length, field: `line ${n + 1}`, message: (error as Error).message });
        list.push(undefined);
      }
    }
    if (errors.length) return { ok: false, code: "malformed-json", errors, eventCount: list.length };
    return parseBatch(list, context);
  },
  answer,
};

/**
 * Validates every event of a batch and reports each bad one by index and field, so a
 * client can fix them all in one round trip. All or nothing: one bad event fails the batch.
 */
export function parseBatch(body: unknown, { receivedAt, lenient }: Pick<ParseContext, "receivedAt" | "lenient">): ParsedBatch {
  const list = Array.isArray(body) ? body : envelopeOf(body, lenient);
  const refuse = (errors: FieldError[], code: "validation-error" | "payload-too-large" = "validation-error"): ParsedBatch => ({ ok: false, code, errors, eventCount: list?.length ?? 0 });
  if (!list) return refuse([{ field: "body", message: "must be a JSON array of events or an object with an `events` array" }]);
  if (!Array.isArray(body)) {
    const extra = Object.keys(body as object).filter((k) => k !== "events" && !(lenient && k === "logs"));
    if (extra.length && !lenient) return refuse(extra.map((k) => ({ field: k, message: "unknown field" })));
  }
  if (list.length === 0) return refuse([{ field: "events", message: "must hold at least one event" }]);
  if (list.length > MAX_BATCH_EVENTS) return refuse([{ field: "events", message: `must hold at most ${MAX_BATCH_EVENTS} events (got ${list.length})` }], "payload-too-large");

  const events: LogEvent[] = [];
  const errors: FieldError[] = [];
  list.forEach((raw, index) => {
    const result = checkLogEvent(lenient ? liftAliases(raw) : raw);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
        for (const key of keys) {
          const field = [...issue.path, ...(key === undefined ? [] : [key])].join(".") || "event";
          errors.push({ index, field, message: key === undefined ? issue.message : "unknown field" });
        }
      }
      return;
    }
    events.push({ ...result.data, timestamp: result.data.timestamp ?? receivedAt, level: result.data.level ?? DEFAULT_SEVERITY });
  });
  return errors.length ? refuse(errors) : { ok: true, events, rejected: [] };
}

function envelopeOf(body: unknown, lenient: boolean): unknown[] | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { events, logs } = body as { events?: unknown; logs?: unknown };
  if (Array.isArray(events)) return events;
  return lenient && Array.isArray(logs) ? logs : undefined;
}
