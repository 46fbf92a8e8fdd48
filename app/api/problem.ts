import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { FieldError } from "../domain/field-error.ts";
import type { RequestErrorCode } from "../domain/request-error.ts";

// Every error leaves the API as RFC 9457 application/problem+json. Any layer throws
// RequestError (domain/request-error.ts); validation failures, unknown routes and anything unexpected are mapped here,
// in one place, so no route can answer an error in another shape.

/** Seconds a client is told to wait before retrying a 503 or 429. */
const RETRY_AFTER_SECONDS = 5;


const PROBLEM_CODES = {
  "validation-error": { status: 400, title: "The request is not valid" },
  "malformed-json": { status: 400, title: "The request body is not valid JSON" },
  "invalid-cursor": { status: 400, title: "The cursor does not belong to this query" },
  unauthorized: { status: 401, title: "Authentication required" },
  forbidden: { status: 403, title: "Forbidden" },
  "not-found": { status: 404, title: "Not found" },
  conflict: { status: 409, title: "Conflict" },
  "payload-too-large": { status: 413, title: "The request body is too large" },
  "headers-too-large": { status: 431, title: "The request headers are too large" },
  "too-many-requests": { status: 429, title: "Too many requests in flight" },
  "unsupported-media-type": { status: 415, title: "Unsupported media type" },
  "service-unavailable": { status: 503, title: "Service unavailable" },
  "internal-error": { status: 500, title: "Internal error" },
} as const satisfies Record<RequestErrorCode, { status: ContentfulStatusCode; title: string }>;

export type ProblemCode = RequestErrorCode;

const FieldErrorSchema = z
  .object({
    field: z.string().openapi({ example: "level" }),
    message: z.string().openapi({ example: "must be one of trace, debug, info, warn, error, fatal" }),
    index: z.number().int().optional().openapi({ description: "Position of the event in a batch." }),
  })
  .openapi("FieldError");

const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "urn:failsight:problem:validation-error" }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .openapi("Problem");

const problemContent = { "application/problem+json": { schema: ProblemSchema } };

/** OpenAPI responses for problem codes, one per status (codes that share one are described together). */
export function problemResponses(described: Partial<Record<ProblemCode, string>>) {
  const byStatus: Record<number, { description: string; content: typeof problemContent }> = {};
  for (const [code, description] of Object.entries(described) as [ProblemCode, string][]) {
    const { status } = PROBLEM_CODES[code];
    const known = byStatus[status];
    byStatus[status] = { description: known ? `${known.description}; or: ${description}` : description, content: problemContent };
  }
  return byStatus;
}

export function problemBody(code: ProblemCode, instance: string, detail?: string, errors?: FieldError[]) {
  const { status, title } = PROBLEM_CODES[code];
  return {
    type: `urn:failsight:problem:${code}`,
    title,
    status,
    ...(detail && detail !== title ? { detail } : {}),
    instance,
    ...(errors?.length ? { errors } : {}),
  };
}

export function problem(c: Context, code: ProblemCode, detail?: string, errors?: FieldError[]) {
  const body = problemBody(code, c.req.path, detail, errors);
  return c.body(JSON.stringify(body), body.status as ContentfulStatusCode, {
    "content-type": "application/problem+json",
    ...(code === "unauthorized" ? { "www-authenticate": 'Bearer realm="failsight"' } : {}),
    // Both mean "not now": a client that honours Retry-After (the OTLP and Loki clients do) comes back.
    ...(code === "service-unavailable" || code === "too-many-requests" ? { "retry-after": String(RETRY_AFTER_SECONDS) } : {}),
  });
}

/** zod issues as field errors: the path names the field, unknown keys are named one by one. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.flatMap((issue) => {
    const base = issue.path.join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((k) => ({ field: base ? `${base}.${k}` : k, message: "unknown parameter" }));
    }
    return [{ field: base || "request", message: issue.message }];
  });
}
