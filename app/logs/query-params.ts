import { z } from "@hono/zod-openapi";
import { SEVERITIES } from "../domain/vocabulary.ts";

// GET /logs query parameters as they arrive: strings, some repeatable. Their meaning
// (relative times, status classes, the cursor) is worked out by the planner, which can
// then report every bad parameter at once.

const MAX_LIMIT = 1_000;
const DEFAULT_LIMIT = 100;

/** `a,b` or `?x=a&x=b`, or both. */
const list = (example: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => [...new Set((Array.isArray(v) ? v : [v]).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean))])
    .pipe(z.array(z.string().max(128)).min(1).max(100))
    .openapi({ type: "array", items: { type: "string" }, example: [example] } as never);

export const LogsQuery = z
  .strictObject({
    service: list("checkout").optional().openapi({ description: "One or more service names (repeat or comma-separate)." }),
    level: z.enum(SEVERITIES).optional().openapi({ description: "Minimum severity." }),
    status: z.string().regex(/^([1-5]\d\d|[1-5]xx)$/i, "must be an HTTP status like 503 or a class like 5xx").optional().openapi({ example: "5xx" }),
    error_code: list("PAYMENT_TIMEOUT").optional().openapi({ description: "One or more error codes." }),
    from: z.string().max(64).optional().openapi({ description: "Inclusive lower bound: ISO-8601, epoch ms, `now` or `now-1h`.", example: "now-1h" }),
    to: z.string().max(64).optional().openapi({ description: "Exclusive upper bound, same forms as `from`.", example: "now" }),
    q: z.string().min(1).max(256).optional().openapi({ description: "Case-insensitive substring of the message." }),
    trace_id: z.string().min(1).max(64).optional(),
    order: z.enum(["desc", "asc"]).default("desc").openapi({ description: "By time; newest first by default." }),
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
    cursor: z.string().max(2048).optional().openapi({ description: "`next_cursor` of the previous page." }),
  })
  .openapi("LogsQuery");

export type LogsQuery = z.output<typeof LogsQuery>;
