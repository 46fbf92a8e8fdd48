import { z } from "@hono/zod-openapi";
import { stepsOf } from "../../../logs/logql/compile.ts";
import { parseLogQL } from "../../../logs/logql/parser.ts";
import { evaluateMetric } from "../../../logs/logql/repository.ts";
import type { AppDeps } from "../../deps.ts";
import { readAndRecord } from "../../recorded-read.ts";
import { defineRoute } from "../../route.ts";
import type { Router } from "../../router.ts";
import { QUERY_PARAM, timeOf } from "./loki-request.ts";
import { LOKI_ERRORS, LokiBadRequest, instantResult, lokiJson, success } from "./loki-response.ts";

const instantQueryRoute = defineRoute({
  method: "get",
  path: "/loki/api/v1/query",
  tags: ["loki"],
  summary: "Loki: a LogQL metric query at one instant",
  access: "read",
  description: "A metric query evaluated at `time` (default now): a `vector`, or a `scalar` for a number. Log queries belong to `query_range`, as in Loki.",
  request: {
    query: z.object({
      ...QUERY_PARAM,
      time: z.string().optional().openapi({ description: "Unix nanoseconds or seconds, or RFC 3339; default now." }),
      limit: z.string().optional(),
      direction: z.string().optional(),
    }),
  },
  errors: { "service-unavailable": "The database is not reachable" },
  responses: { 200: { description: "A vector or a scalar, in Loki's envelope", content: lokiJson }, ...LOKI_ERRORS },
});

export function registerInstantQuery(app: Router, deps: AppDeps) {
  app.openapi(instantQueryRoute, async (c) => {
    const params = c.req.valid("query");
    const query = parseLogQL(params.query ?? "");
    if (query.kind === "log") throw new LokiBadRequest("log queries are not supported as an instant query type, please change your query to a range query type");
    const time = timeOf(params.time, deps.now().getTime() * 1000, "time");
    const steps = stepsOf(time, time, 1000);
    const value = await readAndRecord(c, deps, ({ db }) => evaluateMetric(db, query.expr, steps), (v) => (v.kind === "vector" ? v.series.length : 1));
    return success(c, instantResult(value, steps)) as never;
  });
}
