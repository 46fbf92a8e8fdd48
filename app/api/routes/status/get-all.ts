import { createRoute } from "@hono/zod-openapi";
import { evaluateServices } from "../../../status/service-status.ts";
import type { AppDeps } from "../../deps.ts";
import { commonErrorResponses } from "../../problem.ts";
import type { Router } from "../../router.ts";
import { presentStatus } from "./present.ts";
import { StatusList, StatusQuery } from "./schema.ts";
import { windowMsOrThrow } from "./window-param.ts";

export const listStatusRoute = createRoute({
  method: "get",
  path: "/status",
  tags: ["status"],
  summary: "Health of every service over a window",
  request: { query: StatusQuery },
  responses: {
    200: { description: "One row per service", content: { "application/json": { schema: StatusList } } },
    ...commonErrorResponses,
  },
});

export function registerListStatus(app: Router, deps: AppDeps) {
  app.openapi(listStatusRoute, async (c) => {
    const { window } = c.req.valid("query");
    const now = deps.now();
    const statuses = await evaluateServices(deps.sql, now, windowMsOrThrow(window));
    return c.json({ window, evaluated_at: now.toISOString(), services: statuses.map(presentStatus) }, 200);
  });
}
