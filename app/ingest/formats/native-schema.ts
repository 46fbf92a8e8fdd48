import { z } from "@hono/zod-openapi";
import { DEFAULT_SEVERITY, parseSeverity } from "../../domain/severity.ts";
import { SEVERITIES } from "../../domain/vocabulary.ts";
import { isRealCalendarTime, isStorableInstant, unstorableJson } from "../../domain/text.ts";
import { storableText } from "../../domain/text-schema.ts";
import { nameSchema } from "../../domain/names.ts";
import { MAX_BATCH_EVENTS, MAX_BODY_BYTES } from "../limits.ts";

// Failsight's own wire format for one log event. This schema validates native batches and
// documents POST /v1/logs in the OpenAPI document; what it yields is checked against the
// one internal event (domain/log-event.ts) where native-json.ts hands it on.

const text = storableText;
const identifier = nameSchema;

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** The bounds of each field (native-fast-path.ts checks the same ones without zod). */
export const FIELD_LIMITS = {
  service: 128,
  message: 32_768,
  route: 512,
  error_code: 128,
  trace_id: 64,
  span_id: 64,
  status: { min: 100, max: 599 },
  latency_ms: { min: 0, max: 86_400_000 },
} as const;
export const HTTP_METHOD = /^[A-Za-z]{1,16}$/;

/** Epoch milliseconds of a timestamp as sent, NaN when it is not one (native-fast-path.ts reads it too). */
export const timestampMs = (v: string | number) => (typeof v === "number" ? Math.floor(v) : ISO_WITH_OFFSET.test(v) && isRealCalendarTime(v) ? Date.parse(v) : Number.NaN);
const TIMESTAMP_RULE = "must be ISO-8601 with an offset (2026-11-24T10:15:00Z) or epoch milliseconds, between 1970 and 9999";

const timestamp = z
  .union([z.string(), z.number()], { error: TIMESTAMP_RULE })
  .transform((v, ctx) => {
    const ms = timestampMs(v);
    if (!isStorableInstant(ms)) {
      ctx.addIssue({ code: "custom", message: TIMESTAMP_RULE });
      return z.NEVER;
    }
    return new Date(ms);
  })
  .openapi({ type: ["string", "integer"], description: "ISO-8601 with offset, or epoch milliseconds. Default: the time of receipt.", example: "2026-11-24T10:15:00.123Z" } as never);

const level = z
  .string()
  .transform((v, ctx) => {
    const parsed = parseSeverity(v);
    if (!parsed) {
      ctx.addIssue({ code: "custom", message: `must be one of ${SEVERITIES.join(", ")}` });
      return z.NEVER;
    }
    return parsed;
  })
  .openapi({ type: "string", enum: [...SEVERITIES], description: `Case-insensitive; \`warning\` and \`critical\` are accepted too. Default: ${DEFAULT_SEVERITY}.`, example: "error" });

const attributes = z
  .record(z.string(), z.unknown())
  .superRefine((v, ctx) => {
    const why = unstorableJson(v);
    if (why) ctx.addIssue({ code: "custom", message: why });
  })
  .openapi({ description: "Free-form structured fields, stored as jsonb.", example: { customer: "c-42", region: "eu-west-1" } });

export const LogEventInput = z
  .strictObject({
    service: identifier(FIELD_LIMITS.service).openapi({ description: "Registered on first sight.", example: "checkout" }),
    timestamp: timestamp.optional(),
    level: level.optional(),
    message: text(FIELD_LIMITS.message).optional().openapi({ description: "Stored as null when left out.", example: "payment provider timed out" }),
    method: z.string().regex(HTTP_METHOD, "must be an HTTP method").transform((m) => m.toUpperCase()).optional().openapi({ example: "POST" }),
    route: text(FIELD_LIMITS.route).optional().openapi({ description: "Route template, not the raw path.", example: "/orders/:id/pay" }),
    status: z.number().int().min(FIELD_LIMITS.status.min).max(FIELD_LIMITS.status.max).optional().openapi({ example: 504 }),
    error_code: identifier(FIELD_LIMITS.error_code).optional().openapi({ example: "PAYMENT_TIMEOUT" }),
    latency_ms: z.number().min(FIELD_LIMITS.latency_ms.min).max(FIELD_LIMITS.latency_ms.max).optional().openapi({ example: 30012.5 }),
    trace_id: identifier(FIELD_LIMITS.trace_id).optional().openapi({ example: "4bf92f3577b34da6a3ce929d0e0e4736" }),
    span_id: identifier(FIELD_LIMITS.span_id).optional().openapi({ example: "00f067aa0ba902b7" }),
    attributes: attributes.optional(),
  })
  .openapi("LogEvent");

export type LogEventInput = z.input<typeof LogEventInput>;
export type LogEventFields = z.output<typeof LogEventInput>;

const events = z.array(LogEventInput).min(1).max(MAX_BATCH_EVENTS);

/** A batch is a bare array or `{ "events": [...] }`. */
export const LogBatchInput = z
  .union([events, z.strictObject({ events })])
  .openapi("LogBatch", { description: `1 to ${MAX_BATCH_EVENTS} events, at most ${MAX_BODY_BYTES / 1024 / 1024} MiB (gzip accepted).` });
