import { LogEventInput, MAX_BATCH_EVENTS, type LogEvent } from "./event-schema.ts";
import type { FieldError } from "../api/problem.ts";

export type NormalizedEvent = Omit<LogEvent, "timestamp" | "level"> & {
  timestamp: Date;
  level: NonNullable<LogEvent["level"]>;
};

export type ParsedBatch = { ok: true; events: NormalizedEvent[] } | { ok: false; errors: FieldError[] };

/**
 * Validates every event of a batch and reports each bad one by index and field, so a
 * client can fix them all in one round trip. All or nothing: one bad event fails the batch.
 */
export function parseBatch(body: unknown, receivedAt: Date): ParsedBatch {
  const list = Array.isArray(body) ? body : isEnvelope(body) ? body.events : undefined;
  if (!list) {
    return { ok: false, errors: [{ field: "body", message: "must be a JSON array of events or an object with an `events` array" }] };
  }
  if (isEnvelope(body)) {
    const extra = Object.keys(body).filter((k) => k !== "events");
    if (extra.length) return { ok: false, errors: extra.map((k) => ({ field: k, message: "unknown field" })) };
  }
  if (list.length === 0) return { ok: false, errors: [{ field: "events", message: "must hold at least one event" }] };
  if (list.length > MAX_BATCH_EVENTS) {
    return { ok: false, errors: [{ field: "events", message: `must hold at most ${MAX_BATCH_EVENTS} events (got ${list.length})` }] };
  }

  const events: NormalizedEvent[] = [];
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
  return errors.length ? { ok: false, errors } : { ok: true, events };
}

function isEnvelope(body: unknown): body is { events: unknown[] } & Record<string, unknown> {
  return typeof body === "object" && body !== null && !Array.isArray(body) && Array.isArray((body as { events?: unknown }).events);
}
