import { RequestError } from "../../../domain/request-error.ts";
import { defineRoute } from "../../route.ts";
import { z } from "@hono/zod-openapi";
import { parseTimeExpression } from "../../../domain/time-expression.ts";
import { getService } from "../../../services/repository.ts";
import { readTransitions } from "../../../status/repository.ts";
import { asActor } from "../../../db/scoped.ts";
import type { AppDeps } from "../../deps.ts";
import type { FieldError } from "../../../domain/field-error.ts";
import type { Router } from "../../router.ts";
import { StatusEvent, StatusEventsQuery } from "./schema.ts";

const statusTransitionsRoute = defineRoute({
  method: "get",
  path: "/status/{service}/events",
  tags: ["status"],
  summary: "State transitions of one service",
  access: "read",
  description: "Recorded by the status tracker each time a service changes state; the source of uptime.",
  request: { params: z.object({ service: z.string() }), query: StatusEventsQuery },
  errors: { "not-found": "No such service, or one the key may not see" },
  responses: {
    200: { description: "Transitions, oldest first", content: { "application/json": { schema: z.object({ items: z.array(StatusEvent) }) } } },
  },
});

export function registerStatusTransitions(app: Router, deps: AppDeps) {
  app.openapi(statusTransitionsRoute, async (c) => {
    const { service } = c.req.valid("param");
    const query = c.req.valid("query");
    const now = deps.now();
    const errors: FieldError[] = [];
    const [from, to] = (["from", "to"] as const).map((field) => {
      const date = parseTimeExpression(query[field], now);
      if (!date) errors.push({ field, message: "must be ISO-8601, epoch milliseconds, `now`, or `now-<n><unit>`" });
      return date ?? now;
    }) as [Date, Date];
    if (errors.length) throw new RequestError("validation-error", "invalid query", errors);
    // The service is looked up as the caller sees it (not from the process-wide id cache): one it may not see is a 404.
    const events = await asActor(deps.sql, c.get("actor"), async ({ sql, db }) => {
      const visible = await getService(db, service);
      return visible ? (await readTransitions(sql, visible.id, from, to)).events : undefined;
    });
    if (!events) throw new RequestError("not-found", `no service named ${service}`);
    return c.json({ items: events.map((e) => ({ at: e.at.toISOString(), from: e.fromState, to: e.toState, reason: e.reason })) }, 200);
  });
}
