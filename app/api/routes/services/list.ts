import { createRoute, z } from "@hono/zod-openapi";
import { listServices } from "../../../services/repository.ts";
import { asActor } from "../../../db/scoped.ts";
import { access, requirePermission } from "../../../auth/authenticate.ts";
import type { AppDeps } from "../../deps.ts";
import { commonErrorResponses, authErrorResponses } from "../../problem.ts";
import type { Router } from "../../router.ts";
import { presentService } from "./present.ts";
import { Service } from "./schema.ts";

export const listServicesRoute = createRoute({
  method: "get",
  path: "/services",
  tags: ["services"],
  summary: "List services",
  ...access("read"),
  request: { query: z.strictObject({}) },
  responses: {
    200: { description: "Every registered service", content: { "application/json": { schema: z.object({ items: z.array(Service) }) } } },
    ...commonErrorResponses,
    ...authErrorResponses,
  },
});

export function registerListServices(app: Router, deps: AppDeps) {
  app.openapi(listServicesRoute, async (c) => {
    requirePermission(c.get("actor"), "read");
    const items = await asActor(deps.sql, c.get("actor"), ({ db }) => listServices(db));
    return c.json({ items: items.map(presentService) }, 200);
  });
}
