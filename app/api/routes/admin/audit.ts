import { RequestError } from "../../../domain/request-error.ts";
import { z } from "@hono/zod-openapi";
import { readAudit } from "../../../access/audit-log.ts";
import { parseTimeExpression } from "../../../domain/time-expression.ts";
import type { AppDeps } from "../../deps.ts";
import { defineRoute } from "../../route.ts";
import type { Router } from "../../router.ts";
import { asCaller } from "./admin-route.ts";
import { AuditEntry } from "./schema.ts";

const auditRoute = defineRoute({
  method: "get",
  path: "/admin/audit",
  tags: ["admin"], access: "admin",
  summary: "Who did what, when, and with what outcome",
  description:
    "Every request but probes, docs and scrapes: changes (admin routes, key revocation, services), reads (logs with the rows returned, status, services) and refusals (with the key prefix tried). Newest first; filter by user, role, method, route template and status (`403` or a class like `4xx`).",
  request: {
    query: z.strictObject({
      from: z.string().default("now-24h"),
      to: z.string().default("now+1m"),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      user: z.string().max(128).optional(),
      role: z.string().max(32).optional(),
      method: z.string().regex(/^[A-Za-z]{1,16}$/).optional(),
      route: z.string().max(256).optional().openapi({ example: "/services/:name" }),
      status: z.string().regex(/^[1-5](\d\d|xx)$/i, "must be a status like 403 or a class like 4xx").optional(),
    }),
  },
  responses: { 200: { description: "Entries", content: { "application/json": { schema: z.object({ items: z.array(AuditEntry) }) } } } },
});

export function registerAudit(app: Router, deps: AppDeps) {
  app.openapi(auditRoute, async (c) => {
    const q = c.req.valid("query");
    const now = deps.now();
    const from = parseTimeExpression(q.from, now);
    const to = parseTimeExpression(q.to, now);
    if (!from || !to) throw new RequestError("validation-error", "invalid query", [{ field: from ? "to" : "from", message: "must be ISO-8601, epoch milliseconds, or now-<n><unit>" }]);
    const status = q.status ? (/xx$/i.test(q.status) ? { min: Number(q.status[0]) * 100, max: Number(q.status[0]) * 100 + 99 } : { min: Number(q.status), max: Number(q.status) }) : undefined;
    const items = await asCaller(deps, c.get("actor"), (sql) => readAudit(sql, { from, to, limit: q.limit, user: q.user, role: q.role, method: q.method, route: q.route, status }));
    return c.json({ items }, 200);
  });
}
