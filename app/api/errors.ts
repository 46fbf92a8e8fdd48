import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { isDatabaseUnavailable } from "../db/client.ts";
import { RequestError } from "../domain/request-error.ts";
import { log } from "../log.ts";
import { problem, type ProblemCode } from "./problem.ts";

/** Every error a request raised, as one problem+json answer: the one place that decides. */
export function answerError(error: Error, c: Context) {
  if (error instanceof RequestError) return problem(c, error.code, error.message, error.errors);
  // PostgreSQL's row-level security refused a write: the caller is not entitled to it.
  if (sqlState(error) === "42501") return problem(c, "forbidden", "not entitled to write to this service; nothing was stored");
  if (isDatabaseUnavailable(error)) {
    log.warn({ err: error, method: c.req.method, path: c.req.path }, "database unavailable");
    return problem(c, "service-unavailable", "the database is not reachable right now; nothing was stored by this request unless it said otherwise; retry later");
  }
  // Hono raises these for bodies it cannot read, e.g. malformed JSON in a validated route.
  if (error instanceof HTTPException) return problem(c, problemForHttpError(error), error.message);
  // The detail goes to the log; the caller gets nothing internal.
  log.error({ err: error, method: c.req.method, path: c.req.path }, "request failed");
  return problem(c, "internal-error", "something went wrong on our side; it has been logged");
}

/** The SQLSTATE of a postgres.js error, or of the one drizzle wraps. */
function sqlState(error: unknown): string | undefined {
  const e = error as { code?: string; cause?: { code?: string } };
  return e.code ?? e.cause?.code;
}

function problemForHttpError(error: HTTPException): ProblemCode {
  if (error.status === 413) return "payload-too-large";
  if (error.status === 415) return "unsupported-media-type";
  if (error.status >= 500) return "internal-error";
  return /json/i.test(error.message) ? "malformed-json" : "validation-error";
}
