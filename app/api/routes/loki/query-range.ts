import { z } from "@hono/zod-openapi";
import { stepsOf } from "../../../logs/logql/compile.ts";
import { defaultStepMs, parseStepMs } from "../../../logs/logql/params.ts";
import { parseLogQL } from "../../../logs/logql/parser.ts";
import { evaluateMetric, readStreams } from "../../../logs/logql/repository.ts";
import type { AppDeps } from "../../deps.ts";
import { readAndRecord } from "../../recorded-read.ts";
import { defineRoute } from "../../route.ts";
import type { Router } from "../../router.ts";
import { directionOf, limitOf, QUERY_PARAM, TIME_PARAMS, windowOf } from "./loki-request.ts";
import { LOKI_ERRORS, LokiBadRequest, lokiJson, matrixResult, streamsResult, success } from "./loki-response.ts";

const queryRangeRoute = defineRoute({
  method: "get",
  path: "/loki/api/v1/query_range",
  tags: ["loki"],
  summary: "Loki: a LogQL query over a time range",
  access: "read",
  description:
    "A log query returns `streams`: lines in [start, end), newest first (`direction=backward`, the default) or oldest first, at most `limit` (default 100, at most 5000). A metric query returns a `matrix`: one point per `step` from start to end, each over the range in its `[..]` ending at that point. Rows are those the key may read.",
  request: {
    query: z.object({
      ...QUERY_PARAM,
      ...TIME_PARAMS,
      limit: z.string().optional().openapi({ description: "Most lines a log query returns." }),
      direction: z.string().optional().openapi({ description: "`backward` (newest first) or `forward`." }),
      step: z.string().optional().openapi({ description: "Metric resolution: a duration (`15s`, `60000ms`) or seconds; default the range over 250 points." }),
      interval: z.string().optional().openapi({ description: "Not supported: refused for log queries." }),
    }),
  },
  errors: { "service-unavailable": "The database is not reachable" },
  responses: { 200: { description: "Streams or a matrix, in Loki's envelope", content: lokiJson }, ...LOKI_ERRORS },
});

export function registerQueryRange(app: Router, deps: AppDeps) {
  app.openapi(queryRangeRoute, async (c) => {
    const params = c.req.valid("query");
    const query = parseLogQL(params.query ?? "");
    const window = windowOf(params, deps.now());
    if (query.kind === "log") {
      if (params.interval) throw new LokiBadRequest("`interval` (one line per interval) is not supported by Failsight");
      const request = { selector: query.selector, window, direction: directionOf(params.direction), limit: limitOf(params.limit) };
      const read = await readAndRecord(c, deps, ({ db }) => readStreams(db, request), (r) => r.lines);
      return success(c, streamsResult(read.streams)) as never;
    }
    const stepMs = params.step ? parseStepMs(params.step) : defaultStepMs(window.fromUs, window.toUs);
    if (!stepMs || stepMs <= 0) throw new LokiBadRequest(`invalid step "${params.step}": a duration such as 15s, or seconds`);
    const steps = stepsOf(window.fromUs, window.toUs, stepMs);
    const value = await readAndRecord(c, deps, ({ db }) => evaluateMetric(db, query.expr, steps), (v) => (v.kind === "vector" ? v.series.length : 1));
    return success(c, matrixResult(value, steps)) as never;
  });
}
