import { RequestError } from "../domain/request-error.ts";
import type { MiddlewareHandler } from "hono";
import { withTimeout } from "../with-timeout.ts";

/**
 * Bounds every request: one the database has not answered within `ms` (a frozen server, a
 * dead network, a pool whose connections all hang) is answered 503 with Retry-After, so
 * clients and probes never hang. A write that commits after its 503 is stored, and a retry
 * stores it again: ingest is at least once, never lost.
 */
export function deadline(ms: number): MiddlewareHandler {
  return (_c, next) => withTimeout(next(), ms, () => new RequestError("service-unavailable", `the database did not answer within ${ms / 1000} s; retry later`));
}
