import { createRoute, z } from "@hono/zod-openapi";
import { readAudit } from "../../../access/repository.ts";
import { parseTimeExpression } from "../../../logs/time-expression.ts";
import type { AppDeps } from "../../deps.ts";
import { ApiError } from "../../problem.ts";
import type { Router } from "../../router.ts";
import { adminAccess, adminErrors, asAdmin } from "./admin-route.ts";
import { AuditEntry } from "./schema.ts";

const auditRoute = createRoute({
  method: "get",
  path: "/admin/audit",
  ...adminAccess,
  summary: "Who read which logs",
  description: "Every GET /logs is recorded: the caller, the filters, how many rows it returned. Newest first.",
  request: { query: z.strictObject({ from: z.string().default("now-24h"), to: z.string().default("now+1m"), limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
  responses: { 200: { description: "Entries", content: { "application/json": { schema: z.object({ items: z.array(AuditEntry) }) } } }, ...adminErrors },
});

export function registerAudit(app: Router, deps: AppDeps) {
  app.openapi(auditRoute, async (c) => {
    const q = c.req.valid("query");
    const now = deps.now();
    const from = parseTimeExpression(q.from, now);
    const to = parseTimeExpression(q.to, now);
    if (!from || !to) throw new ApiError("validation-error", "invalid query", [{ field: from ? "to" : "from", message: "must be ISO-8601, epoch milliseconds, or now-<n><unit>" }]);
    return c.json({ items: await asAdmin(deps, c.get("actor"), (sql) => readAudit(sql, from, to, q.limit)) }, 200);
  });
}
