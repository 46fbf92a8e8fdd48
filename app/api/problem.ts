import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

// Every error leaves the API as RFC 9457 application/problem+json. Handlers throw
// ApiError; validation failures, unknown routes and anything unexpected are mapped here,
// in one place, so no route can answer an error in another shape.

/** Seconds a client is told to wait before retrying a 503 or 429. */
export const RETRY_AFTER_SECONDS = 5;

export type FieldError = { field: string; message: string; index?: number };

export const PROBLEM_CODES = {
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
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_CODES;

export class ApiError extends Error {
  override name = "ApiError";
  readonly code: ProblemCode;
  readonly errors: FieldError[] | undefined;
  constructor(code: ProblemCode, detail?: string, errors?: FieldError[]) {
    super(detail ?? PROBLEM_CODES[code].title);
    this.code = code;
    this.errors = errors;
  }
}

export const FieldErrorSchema = z
  .object({
    field: z.string().openapi({ example: "level" }),
    message: z.string().openapi({ example: "must be one of trace, debug, info, warn, error, fatal" }),
    index: z.number().int().optional().openapi({ description: "Position of the event in a batch." }),
  })
  .openapi("FieldError");

export const ProblemSchema = z
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

/** The error responses every route can give, spread into each route's `responses`. */
export const commonErrorResponses = {
  400: { description: "Invalid request", content: problemContent },
  500: { description: "Internal error", content: problemContent },
} as const;
export const notFoundResponse = { 404: { description: "Not found", content: problemContent } } as const;

/** The 401 and 403 every route that needs an API key can answer. */
export const authErrorResponses = {
  401: { description: "No key, or an unknown, revoked or expired one", content: problemContent },
  403: { description: "The key's role may not do this, or its scope does not cover the service", content: problemContent },
} as const;
export const problemResponse = (description: string) => ({ description, content: problemContent });

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
