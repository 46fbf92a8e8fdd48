import { z } from "@hono/zod-openapi";
import { SEVERITIES } from "../../../domain/vocabulary.ts";

export const LogItem = z
  .object({
    id: z.number().int(),
    ts: z.string().openapi({ description: "UTC, microsecond precision.", example: "2026-11-24T10:15:00.123000Z" }),
    service: z.string(),
    level: z.enum(SEVERITIES),
    message: z.string().nullable(),
    method: z.string().nullable(),
    route: z.string().nullable(),
    status: z.number().int().nullable(),
    error_code: z.string().nullable(),
    latency_ms: z.number().nullable(),
    trace_id: z.string().nullable(),
    span_id: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()).nullable(),
    received_at: z.string(),
  })
  .openapi("LogItem");

export const LogsPage = z
  .object({
    items: z.array(LogItem),
    next_cursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null on the last page." }),
  })
  .openapi("LogsPage");
