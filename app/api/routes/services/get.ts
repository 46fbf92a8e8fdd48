import { createRoute } from "@hono/zod-openapi";
import { getService } from "../../../services/repository.ts";
import { asActor } from "../../../db/scoped.ts";
import { access, requirePermission } from "../../../auth/authenticate.ts";
import type { AppDeps } from "../../deps.ts";
import { ApiError, authErrorResponses, commonErrorResponses, notFoundResponse } from "../../problem.ts";
import type { Router } from "../../router.ts";
import { presentService } from "./present.ts";
import { Service, ServiceName } from "./schema.ts";

export const getServiceRoute = createRoute({
  method: "get",
  path: "/services/{name}",
  tags: ["services"],
  summary: "Get one service",
  ...access("read"),
  request: { params: ServiceName },
  responses: {
    200: { description: "The service", content: { "application/json": { schema: Service } } },
    ...commonErrorResponses,
    ...authErrorResponses,
    ...notFoundResponse,
  },
});

export function registerGetService(app: Router, deps: AppDeps) {
  app.openapi(getServiceRoute, async (c) => {
    const { name } = c.req.valid("param");
    requirePermission(c.get("actor"), "read");
    const service = await asActor(deps.sql, c.get("actor"), ({ db }) => getService(db, name));
    if (!service) throw new ApiError("not-found", `no service named ${name}`);
    return c.json(presentService(service), 200);
  });
}
