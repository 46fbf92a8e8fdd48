import { z } from "@hono/zod-openapi";
import { readStats, readVolume } from "../../../logs/logql/repository.ts";
import { isStreamLabel } from "../../../logs/logql/labels.ts";
import type { AppDeps } from "../../deps.ts";
import { readAndRecord } from "../../recorded-read.ts";
import { defineRoute } from "../../route.ts";
import type { Router } from "../../router.ts";
import { SELECTOR_PARAM, TIME_PARAMS, limitOf, selectorOf, windowOf } from "./loki-request.ts";
import { LOKI_ERRORS, LokiBadRequest, lokiJson, sampleValue, success } from "./loki-response.ts";

const statsRoute = defineRoute({
  method: "get",
  path: "/loki/api/v1/index/stats",
  tags: ["loki"],
  summary: "Loki: how much a selector matches (streams, bytes, entries)",
  access: "read",
  description: "Failsight stores no chunks: `chunks` equals `streams`.",
  request: { query: z.object({ ...TIME_PARAMS, ...SELECTOR_PARAM }) },
  errors: { "service-unavailable": "The database is not reachable" },
  responses: {
    200: { description: "Statistics (no envelope, as in Loki)", content: { "application/json": { schema: z.object({ streams: z.number(), chunks: z.number(), bytes: z.number(), entries: z.number() }) } } },
    ...LOKI_ERRORS,
  },
});

const volumeQuery = z.object({
  ...TIME_PARAMS,
  ...SELECTOR_PARAM,
  limit: z.string().optional().openapi({ description: "Most groups returned, largest first (default 100)." }),
  targetLabels: z.string().optional().openapi({ description: "Comma-separated labels to group by; default the selector's labels." }),
  aggregateBy: z.string().optional().openapi({ description: "`series` (the default); `labels` is not supported." }),
});

const volumeRoute = defineRoute({
  method: "get",
  path: "/loki/api/v1/index/volume",
  tags: ["loki"],
  summary: "Loki: bytes of log lines per group in a time range",
  access: "read",
  request: { query: volumeQuery },
  errors: { "service-unavailable": "The database is not reachable" },
  responses: { 200: { description: "A vector of bytes per group", content: lokiJson }, ...LOKI_ERRORS },
});

export function registerIndexStats(app: Router, deps: AppDeps) {
  app.openapi(statsRoute, async (c) => {
    const params = c.req.valid("query");
    const selector = selectorOf(params.query, true)!;
    const stats = await readAndRecord(c, deps, ({ db }) => readStats(db, selector, windowOf(params, deps.now())), () => 1);
    return c.json(stats, 200) as never;
  });
  app.openapi(volumeRoute, async (c) => {
    const params = c.req.valid("query");
    const selector = selectorOf(params.query, true)!;
    if (params.aggregateBy && params.aggregateBy !== "series") throw new LokiBadRequest(`aggregateBy=${params.aggregateBy} is not supported by Failsight; use series`);
    const labels = params.targetLabels ? params.targetLabels.split(",").map((l) => l.trim()).filter(Boolean) : [...new Set(selector.matchers.map((m) => m.label))];
    const unknown = labels.find((l) => !isStreamLabel(l));
    if (unknown) throw new LokiBadRequest(`volume groups by stream labels; ${unknown} is not one`);
    const window = windowOf(params, deps.now());
    const limit = limitOf(params.limit);
    const groups = await readAndRecord(c, deps, ({ db }) => readVolume(db, selector, window, labels, limit), (g) => g.length);
    const at = window.toUs / 1e6;
    return success(c, { resultType: "vector", result: groups.map((g) => ({ metric: g.labels, value: [at, sampleValue(g.bytes)] })) }) as never;
  });
}
