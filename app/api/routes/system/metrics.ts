import { createRoute, z } from "@hono/zod-openapi";
import { registry } from "../../../metrics/registry.ts";
import type { Router } from "../../router.ts";

export const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["system"],
  summary: "Prometheus metrics",
  responses: { 200: { description: "Prometheus text exposition format", content: { "text/plain": { schema: z.string() } } } },
});

export function registerMetrics(app: Router) {
  app.openapi(metricsRoute, async (c) => c.text(await registry.metrics(), 200, { "content-type": registry.contentType }));
}
