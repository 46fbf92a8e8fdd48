import type { MiddlewareHandler } from "hono";
import { ApiError } from "./problem.ts";

/**
 * Bounds every request: one the database has not answered within `ms` (a frozen server, a
 * dead network, a pool whose connections all hang) is answered 503 with Retry-After, so
 * clients and probes never hang. A write that commits after its 503 is stored, and a retry
 * stores it again: ingest is at least once, never lost.
 */
export function deadline(ms: number): MiddlewareHandler {
  return async (_c, next) => {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ApiError("service-unavailable", `the database did not answer within ${ms / 1000} s; retry later`)), ms);
    });
    try {
      await Promise.race([next(), expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}
