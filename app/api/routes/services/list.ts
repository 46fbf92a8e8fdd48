import { defineRoute } from "../../route.ts";
import { z } from "@hono/zod-openapi";
import { listServices } from "../../../services/repository.ts";
import { asActor } from "../../../db/scoped.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { presentService } from "./present.ts";
import { declaredDependencies } from "../../../status/dependencies-repository.ts";
import { Service } from "./schema.ts";

const listServicesRoute = defineRoute({
  method: "get",
  path: "/services",
  tags: ["services"],
  summary: "List services",
  access: "read",
  request: { query: z.strictObject({}) },
  responses: {
    200: { description: "Every registered service", content: { "application/json": { schema: z.object({ items: z.array(Service) }) } } },
  },
});

export function registerListServices(app: Router, deps: AppDeps) {
  app.openapi(listServicesRoute, async (c) => {
    const { items, dependsOn } = await asActor(deps.sql, c.get("actor"), async ({ sql, db }) => {
      const items = await listServices(db);
      return { items, dependsOn: await declaredDependencies(sql, items.map((s) => s.id)) };
    });
    return c.json({ items: items.map((s) => presentService(s, dependsOn.get(s.id) ?? [])) }, 200);
  });
}
