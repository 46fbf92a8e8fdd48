import { z } from "@hono/zod-openapi";
import { readSeries } from "../../../logs/logql/repository.ts";
import { MAX_LIMIT } from "../../../logs/logql/params.ts";
import type { AppDeps } from "../../deps.ts";
import { readAndRecord } from "../../recorded-read.ts";
import { defineRoute } from "../../route.ts";
import type { Router } from "../../router.ts";
import { TIME_PARAMS, selectorOf, windowOf } from "./loki-request.ts";
import { LOKI_ERRORS, LokiBadRequest, lokiJson, success } from "./loki-response.ts";

const seriesRoute = defineRoute({
  method: "get",
  path: "/loki/api/v1/series",
  tags: ["loki"],
  summary: "Loki: the streams (label sets) that match selectors",
  access: "read",
  description: `Each \`match[]\` is a log selector; the answer is the distinct label sets of the events any of them matches in [start, end), at most ${MAX_LIMIT}.`,
  request: { query: z.object({ ...TIME_PARAMS, "match[]": z.union([z.string(), z.array(z.string())]).optional().openapi({ description: "A log selector; repeatable." }), match: z.string().optional() }) },
  errors: { "service-unavailable": "The database is not reachable" },
  responses: { 200: { description: "Label sets", content: lokiJson }, ...LOKI_ERRORS },
});

export function registerSeries(app: Router, deps: AppDeps) {
  app.openapi(seriesRoute, async (c) => {
    const params = c.req.valid("query");
    const raw = [params["match[]"] ?? [], params.match ?? []].flat();
    if (raw.length === 0) throw new LokiBadRequest("at least one match[] selector is required");
    const selectors = raw.map((m) => selectorOf(m, true)!);
    const window = windowOf(params, deps.now());
    const series = await readAndRecord(c, deps, ({ db }) => readSeries(db, selectors, window, MAX_LIMIT), (s) => s.length);
    return success(c, series) as never;
  });
}
