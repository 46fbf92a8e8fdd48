import { RequestError } from "../../../domain/request-error.ts";
import { defineRoute } from "../../route.ts";
import { planLogsQuery } from "../../../logs/plan.ts";
import { LogsQuery } from "../../../logs/query-params.ts";
import { EMPTY_PAGE, sendLogsPage } from "../../../logs/repository.ts";
import { asActor } from "../../../db/scoped.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { LogsPage } from "./schema.ts";
import { readAndRecord, readRecordingItself } from "../../recorded-read.ts";

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
    const { plan } = result;
    const filters = c.req.valid("query");
    // The services' ids are known before the read is sent: it goes in one round trip. A name
    // not cached yet is looked up first, in a transaction of its own (once per name).
    let serviceIds = plan.services && deps.serviceIds.known(plan.services);
    if (plan.services && !serviceIds) serviceIds = [...(await asActor(deps.sql, c.get("actor"), ({ sql }) => deps.serviceIds.find(sql, plan.services!))).values()];
    const page =
      serviceIds?.length === 0
        ? await readAndRecord(c, deps, async () => EMPTY_PAGE, () => 0, filters)
        : await readRecordingItself(c, deps, (sql, entry) => sendLogsPage(sql, plan, serviceIds, entry), filters);
    // The items are JSON already, joined by PostgreSQL (logs/repository.ts): not parsed and
    // serialised again. The type checker cannot see inside the text; query.test.ts checks
    // every page against LogsPage instead.
    const body = `{"items":[${page.items}],"next_cursor":${JSON.stringify(page.nextCursor)}}`;
    return c.body(body, 200, { "content-type": "application/json" }) as never;
  });
}
