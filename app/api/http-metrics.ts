import type { Context, MiddlewareHandler } from "hono";
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
    const labels = { method: c.req.method, route: routeTemplate(c), status: String(c.res.status) };
    httpRequests.inc(labels);
    httpRequestDuration.observe(labels, (performance.now() - start) / 1000);
  }
};

/** The template of the route that answered (`/services/:name`), or `unmatched`. */
export function routeTemplate(c: Context): string {
  const template = routePath(c, -1);
  return template === "/*" || template === "*" ? "unmatched" : template;
}
