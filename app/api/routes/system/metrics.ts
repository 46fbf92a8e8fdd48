import { timingSafeEqual } from "node:crypto";
import { createRoute, z } from "@hono/zod-openapi";
import { access } from "../../../auth/authenticate.ts";
import { resolveKey } from "../../../auth/key-store.ts";
import { registry } from "../../../metrics/registry.ts";
import type { AppDeps } from "../../deps.ts";
import { ApiError, problemResponse } from "../../problem.ts";
import type { Router } from "../../router.ts";

export const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["system"],
  summary: "Prometheus metrics",
  description:
    "Per-service metrics name every team's services, so they are not public: send `Authorization: Bearer <METRICS_TOKEN>` (the scrape credential; the chart wires it into its ServiceMonitor) or an admin's API key.",
  // Declared as an admin route; the scrape token (not an API key) is the other way in.
  ...access("admin"),
  responses: {
    200: { description: "Prometheus text exposition format", content: { "text/plain": { schema: z.string() } } },
    401: problemResponse("No scrape token or key, or a wrong one"),
    403: problemResponse("A key that is not an admin's"),
  },
});

export function registerMetrics(app: Router, deps: AppDeps) {
  const token = deps.metricsToken ? Buffer.from(deps.metricsToken) : undefined;
  app.openapi(metricsRoute, async (c) => {
    if (deps.auth === "on") {
      const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
      if (!bearer) throw new ApiError("unauthorized", "send Authorization: Bearer <METRICS_TOKEN> or an admin's API key");
      const given = Buffer.from(bearer);
      const isToken = token !== undefined && given.length === token.length && timingSafeEqual(given, token);
      if (!isToken) {
        const check = await resolveKey(deps.sql, bearer);
        if (!check.ok) throw new ApiError("unauthorized", "not the scrape token, nor a valid API key");
        if (check.actor.kind !== "user" || check.actor.role !== "admin") throw new ApiError("forbidden", "metrics name every team's services: only the scrape token or an admin's key may read them");
      }
    }
    return c.text(await registry.metrics(), 200, { "content-type": registry.contentType });
  });
}
