import { z } from "@hono/zod-openapi";
import { labelNames, labelValues } from "../../../logs/logql/repository.ts";
import type { AppDeps } from "../../deps.ts";
import { readAndRecord } from "../../recorded-read.ts";
import { defineRoute } from "../../route.ts";
import type { Router } from "../../router.ts";
import { SELECTOR_PARAM, TIME_PARAMS, selectorOf, windowOf } from "./loki-request.ts";
import { LOKI_ERRORS, lokiJson, success } from "./loki-response.ts";

const labelsRoute = defineRoute({
  method: "get",
  path: "/loki/api/v1/labels",
  tags: ["loki"],
  summary: "Loki: the label names with values in a time range",
  access: "read",
  description: "Of `service`, `team`, `level`, `status`, `method`, `route`, `error_code`: those some event the key may read has in [start, end).",
  request: { query: z.object({ ...TIME_PARAMS, ...SELECTOR_PARAM, since: z.string().optional() }) },
  errors: { "service-unavailable": "The database is not reachable" },
  responses: { 200: { description: "Label names", content: lokiJson }, ...LOKI_ERRORS },
});

const labelValuesRoute = defineRoute({
  method: "get",
  path: "/loki/api/v1/label/{name}/values",
  tags: ["loki"],
  summary: "Loki: the values of one label in a time range",
  access: "read",
  description: "Only values on events the key may read: a viewer sees its team's services and no other.",
  request: { params: z.object({ name: z.string() }), query: z.object({ ...TIME_PARAMS, ...SELECTOR_PARAM, since: z.string().optional() }) },
  errors: { "service-unavailable": "The database is not reachable" },
  responses: { 200: { description: "Label values", content: lokiJson }, ...LOKI_ERRORS },
});

export function registerLabels(app: Router, deps: AppDeps) {
  app.openapi(labelsRoute, async (c) => {
    const params = c.req.valid("query");
    const window = windowOf(params, deps.now());
    const selector = selectorOf(params.query, false);
    const names = await readAndRecord(c, deps, ({ db }) => labelNames(db, window, selector), (n) => n.length);
    return success(c, names) as never;
  });
  app.openapi(labelValuesRoute, async (c) => {
    const params = c.req.valid("query");
    const { name } = c.req.valid("param");
    const window = windowOf(params, deps.now());
    const selector = selectorOf(params.query, false);
    const values = await readAndRecord(c, deps, ({ db }) => labelValues(db, name, window, selector), (v) => v.length);
    return success(c, values) as never;
  });
}
