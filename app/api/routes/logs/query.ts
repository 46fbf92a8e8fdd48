import { RequestError } from "../../../domain/request-error.ts";
import { defineRoute } from "../../route.ts";
import { planLogsQuery } from "../../../logs/plan.ts";
import { LogsQuery } from "../../../logs/query-params.ts";
import { readLogsPage } from "../../../logs/repository.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { LogsPage } from "./schema.ts";
import { readAndRecord } from "../../recorded-read.ts";

const queryLogsRoute = defineRoute({
  method: "get",
  path: "/logs",
  tags: ["logs"],
  summary: "Search log events",
  access: "read",
  description:
    "Filters combine with AND. Keyset pagination: pass `next_cursor` back as `cursor` with the same filters. Later pages see the events that existed when the first page was read.",
  request: { query: LogsQuery },
  responses: {
    200: { description: "One page of events", content: { "application/json": { schema: LogsPage } } },
  },
});

export function registerQueryLogs(app: Router, deps: AppDeps) {
  app.openapi(queryLogsRoute, async (c) => {
    const result = planLogsQuery(c.req.valid("query"), deps.now());
    if (!result.ok) {
      throw new RequestError(result.cursor ? "invalid-cursor" : "validation-error", "invalid query", result.errors);
    }
    const page = await readAndRecord(c, deps, ({ sql }) => readLogsPage(sql, deps.serviceIds, result.plan), (read) => read.items.length, c.req.valid("query"));
    // The items are JSON already (logs/repository.ts): joined, not parsed and serialised
    // again. The type checker cannot see inside the text; query.test.ts checks every page
    // against LogsPage instead.
    const body = `{"items":[${page.items.join(",")}],"next_cursor":${JSON.stringify(page.nextCursor)}}`;
    return c.body(body, 200, { "content-type": "application/json" }) as never;
  });
}
