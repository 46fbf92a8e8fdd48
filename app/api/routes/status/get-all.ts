import { defineRoute } from "../../route.ts";
import { evaluateServices } from "../../../status/service-status.ts";
import { readAndRecord } from "../../recorded-read.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { presentStatus } from "./present.ts";
import { StatusList, StatusQuery } from "./schema.ts";
import { windowMsOrThrow } from "./window-param.ts";

const listStatusRoute = defineRoute({
  method: "get",
  path: "/status",
  tags: ["status"],
  summary: "Health of every service over a window",
  access: "read",
  request: { query: StatusQuery },
  responses: {
    200: { description: "One row per service", content: { "application/json": { schema: StatusList } } },
  },
});

export function registerListStatus(app: Router, deps: AppDeps) {
  app.openapi(listStatusRoute, async (c) => {
    const { window } = c.req.valid("query");
    const now = deps.now();
    const windowMs = windowMsOrThrow(window);
    const statuses = await readAndRecord(c, deps, ({ sql }) => evaluateServices(sql, now, windowMs, deps.hourHistograms), (rows) => rows.length);
    return c.json({ window, evaluated_at: now.toISOString(), services: statuses.map(presentStatus) }, 200);
  });
}
