import { createRoute, z } from "@hono/zod-openapi";
import { access, requirePermission } from "../../../auth/authenticate.ts";
import { registry } from "../../../metrics/registry.ts";
import { authErrorResponses } from "../../problem.ts";
import type { Router } from "../../router.ts";

export const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["system"],
  summary: "Prometheus metrics",
  description:
    "Per-service metrics name every team's services, so they are not public: send `Authorization: Bearer <METRICS_TOKEN>` (the scrape credential; the chart wires it into its ServiceMonitor) or an admin's API key.",
  // An admin route; the scrape token, which authenticate() accepts here only, is the other way in.
  ...access("admin"),
  responses: {
    200: { description: "Prometheus text exposition format", content: { "text/plain": { schema: z.string() } } },
    ...authErrorResponses,
  },
});

export function registerMetrics(app: Router) {
  app.openapi(metricsRoute, async (c) => {
    requirePermission(c.get("actor"), "admin");
    return c.text(await registry.metrics(), 200, { "content-type": registry.contentType });
  });
}
