import { RequestError } from "../../../domain/request-error.ts";
import { defineRoute } from "../../route.ts";
import { getService } from "../../../services/repository.ts";
import { asActor } from "../../../db/scoped.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { presentService } from "./present.ts";
import { declaredDependencies } from "../../../status/dependencies-repository.ts";
import { Service, ServiceName } from "./schema.ts";

const getServiceRoute = defineRoute({
  method: "get",
  path: "/services/{name}",
  tags: ["services"],
  summary: "Get one service",
  access: "read",
  request: { params: ServiceName },
  errors: { "not-found": "No such service, or one the key may not see" },
  responses: {
    200: { description: "The service", content: { "application/json": { schema: Service } } },
  },
});

export function registerGetService(app: Router, deps: AppDeps) {
  app.openapi(getServiceRoute, async (c) => {
    const { name } = c.req.valid("param");
    const found = await asActor(deps.sql, c.get("actor"), async ({ sql, db }) => {
      const service = await getService(db, name);
      return service && { service, dependsOn: (await declaredDependencies(sql, [service.id])).get(service.id) ?? [] };
    });
    if (!found) throw new RequestError("not-found", `no service named ${name}`);
    return c.json(presentService(found.service, found.dependsOn), 200);
  });
}
