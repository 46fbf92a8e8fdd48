import { defineRoute } from "../../route.ts";
import { z } from "@hono/zod-openapi";
import { registry } from "../../../metrics/registry.ts";
import type { AppDeps } from "../../deps.ts";
import { keyStillHolds } from "../../../access/api-keys.ts";
import { KEY_NO_LONGER_HOLDS, RequestError } from "../../../domain/request-error.ts";
import type { Router } from "../../router.ts";

const metricsRoute = defineRoute({
  method: "get",
  path: "/metrics",
  tags: ["system"],
  summary: "Prometheus metrics",
  description:
    "Per-service metrics name every team's services, so they are not public: send `Authorization: Bearer <METRICS_TOKEN>` (the scrape credential; the chart wires it into its ServiceMonitor) or an admin's API key.",
  access: "scrape",
  responses: {
    200: { description: "Prometheus text exposition format", content: { "text/plain": { schema: z.string() } } },
  },
});

export function registerMetrics(app: Router, deps: AppDeps) {
  app.openapi(metricsRoute, async (c) => {
    // The one keyed route that opens no transaction, where a key's check would ride along.
    if (!(await keyStillHolds(deps.sql, c.get("actor")))) throw new RequestError("unauthorized", KEY_NO_LONGER_HOLDS);
    return c.text(await registry.metrics(), 200, { "content-type": registry.contentType });
  });
}
