import { createRoute, z } from "@hono/zod-openapi";
import { listServices } from "../../../services/repository.ts";
import type { AppDeps } from "../../deps.ts";
import { commonErrorResponses } from "../../problem.ts";
import type { Router } from "../../router.ts";
import { presentService } from "./present.ts";
import { Service } from "./schema.ts";

export const listServicesRoute = createRoute({
  method: "get",
  path: "/services",
  tags: ["services"],
  summary: "List services",
  request: { query: z.strictObject({}) },
  responses: {
    200: { description: "Every registered service", content: { "application/json": { schema: z.object({ items: z.array(Service) }) } } },
    ...commonErrorResponses,
  },
});

export function registerListServices(app: Router, deps: AppDeps) {
  app.openapi(listServicesRoute, async (c) => c.json({ items: (await listServices(deps.db)).map(presentService) }, 200));
}
