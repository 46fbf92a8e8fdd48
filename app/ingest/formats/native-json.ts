import type { FieldError } from "../../domain/field-error.ts";
import type { LogEvent } from "../../domain/log-event.ts";
import { BatchItemCounter } from "../count-items.ts";
import { MAX_BATCH_EVENTS } from "../limits.ts";
import type { IngestFormat, ParsedBatch } from "./format.ts";
import { LogEventInput } from "./native-schema.ts";

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json$/;

/** Failsight's own format: a JSON array of events, or `{ "events": [...] }`. */
export const nativeJson: IngestFormat = {
  name: "Failsight JSON",
  mediaTypes: (mediaType) => JSON_MEDIA_TYPE.test(mediaType),
  newCounter: () => new BatchItemCounter(),
  parse(body, receivedAt) {
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch (error) {
      return { ok: false, code: "malformed-json", errors: [{ field: "body", message: (error as Error).message }], eventCount: 0 };
    }
    return parseBatch(json, receivedAt);
  },
};

/**
 * Validates every event of a batch and reports each bad one by index and field, so a
 * client can fix them all in one round trip. All or nothing: one bad event fails the batch.
 */
export function parseBatch(body: unknown, receivedAt: Date): ParsedBatch {
  const list = Array.isArray(body) ? body : isEnvelope(body) ? body.events : undefined;
  const refuse = (errors: FieldError[], code: "validation-error" | "payload-too-large" = "validation-error"): ParsedBatch => ({ ok: false, code, errors, eventCount: list?.length ?? 0 });
  if (!list) return refuse([{ field: "body", message: "must be a JSON array of events or an object with an `events` array" }]);
  if (isEnvelope(body)) {
    const extra = Object.keys(body).filter((k) => k !== "events");
    if (extra.length) return refuse(extra.map((k) => ({ field: k, message: "unknown field" })));
  }
  if (list.length === 0) return refuse([{ field: "events", message: "must hold at least one event" }]);
  if (list.length > MAX_BATCH_EVENTS) return refuse([{ field: "events", message: `must hold at most ${MAX_BATCH_EVENTS} events (got ${list.length})` }], "payload-too-large");

  const events: LogEvent[] = [];
  const errors: FieldError[] = [];
  list.forEach((raw, index) => {
    const result = LogEventInput.safeParse(raw);
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
    events.push({ ...result.data, timestamp: result.data.timestamp ?? receivedAt, level: result.data.level ?? "info" });
  });
  return errors.length ? refuse(errors) : { ok: true, events };
}

function isEnvelope(body: unknown): body is { events: unknown[] } & Record<string, unknown> {
  return typeof body === "object" && body !== null && !Array.isArray(body) && Array.isArray((body as { events?: unknown }).events);
}
