import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { httpRequestDuration, httpRequests } from "../metrics/registry.ts";

/**
 * Counts and times every request by route template (`/services/:name`), never the raw
 * path, so a crawler cannot create one series per URL.
 */
export const httpMetrics: MiddlewareHandler = async (c, next) => {
  const start = performance.now();
  try {
    await next();
  } finally {
    const template = routePath(c, -1);
    const route = template === "/*" || template === "*" ? "unmatched" : template;
    const labels = { method: c.req.method, route, status: String(c.res.status) };
    httpRequests.inc(labels);
    httpRequestDuration.observe(labels, (performance.now() - start) / 1000);
  }
};
