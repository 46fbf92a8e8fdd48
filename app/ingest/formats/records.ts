import type { FieldError } from "../../domain/field-error.ts";
import { DEFAULT_SEVERITY } from "../../domain/severity.ts";
import type { LogEvent } from "../../domain/log-event.ts";
import type { ParsedBatch } from "./format.ts";
import { checkLogEvent } from "./native-fast-path.ts";

type Refused = Extract<ParsedBatch, { ok: false }>;

/**
 * For formats whose clients understand a partial success (OTLP, Loki): each record, mapped
 * to Failsight's field names, is checked by the same schema as native events; those that
 * pass are stored and the others refused one by one. The batch is refused whole only when
 * nothing in it can be stored.
 */
export function recordByRecord(candidates: Iterable<Record<string, unknown>>, receivedAt: Date, empty: FieldError): ParsedBatch {
  const events: LogEvent[] = [];
  const rejected: FieldError[] = [];
  let index = 0;
  for (const candidate of candidates) {
    const result = checkLogEvent(candidate);
    if (result.success) events.push({ ...result.data, timestamp: result.data.timestamp ?? receivedAt, level: result.data.level ?? DEFAULT_SEVERITY });
    else for (const issue of result.error.issues) rejected.push({ index, field: issue.path.join(".") || "record", message: issue.message });
    index++;
  }
  if (index === 0) return { ok: false, code: "validation-error", errors: [empty], eventCount: 0 };
  if (!events.length) return { ok: false, code: "validation-error", errors: rejected, eventCount: index };
  return { ok: true, events, rejected };
}

/** The body as JSON, or the refusal of a body that is not. */
export function parseJsonBody<T>(body: Buffer): { ok: true; value: T } | Refused {
  try {
    return { ok: true, value: JSON.parse(body.toString("utf8")) as T };
  } catch (error) {
    return { ok: false, code: "malformed-json", errors: [{ field: "body", message: (error as Error).message }], eventCount: 0 };
  }
}
