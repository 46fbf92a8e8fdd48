import { RequestError } from "../../../domain/request-error.ts";
import { defineRoute } from "../../route.ts";
import { planLogsQuery } from "../../../logs/plan.ts";
import { LogsQuery } from "../../../logs/query-params.ts";
import { readLogsPage, type LogRow } from "../../../logs/repository.ts";
import { asActor } from "../../../db/scoped.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { LogsPage } from "./schema.ts";
import { recordRequest } from "../../../access/audit-log.ts";

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
    const actor = c.get("actor");
    const query = c.req.valid("query");
    const page = await asActor(deps.sql, actor, async ({ db, sql }) => {
      const read = await readLogsPage(db, sql, deps.serviceIds, result.plan);
      await recordRequest(sql, actor, { method: c.req.method, path: c.req.path, route: queryLogsRoute.path, status: 200, filters: query, rowCount: read.items.length });
      return read;
    });
    c.set("audit", "recorded");
    return c.json({ items: page.items.map(toItem), next_cursor: page.nextCursor }, 200);
  });
}

function toItem(row: LogRow) {
  return {
    id: row.id,
    ts: row.ts,
    service: row.service,
    level: row.level,
    message: row.message,
    method: row.method,
    route: row.route,
    status: row.status,
    error_code: row.errorCode,
    latency_ms: row.latencyMs,
    trace_id: row.traceId,
    span_id: row.spanId,
    attributes: row.attributes,
    received_at: row.receivedAt.toISOString(),
  };
}
