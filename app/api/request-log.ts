import type { MiddlewareHandler } from "hono";
import { parseKey } from "../access/key-format.ts";
import { log, logsForPeople } from "../log.ts";
import type { AuditEnv } from "./audit-trail.ts";
import { bearerToken } from "./authenticate.ts";
import { routeTemplate } from "./http-metrics.ts";

/**
 * One line per request: method, route template, status, duration and the key's prefix
 * (never the key, never the query: both can carry secrets). Probes, docs and scrapes, which
 * a cluster calls every few seconds, log at debug.
 */
export const requestLog: MiddlewareHandler<AuditEnv> = async (c, next) => {
  const start = performance.now();
  try {
    await next();
  } finally {
    const ms = Math.round((performance.now() - start) * 10) / 10;
    const route = routeTemplate(c);
    const key = parseKey(bearerToken(c.req.header("authorization")) ?? "")?.prefix;
    const level = c.get("audit") === "skip" ? "debug" : "info";
    const fields = { ...(logsForPeople() ? {} : { method: c.req.method, route, status: c.res.status, ms }), ...(key ? { key } : {}) };
    log[level](fields, `${c.req.method} ${route === "unmatched" ? c.req.path.slice(0, 200) : route} ${c.res.status} ${ms}ms`);
  }
};
