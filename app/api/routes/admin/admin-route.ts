import { createRoute, z } from "@hono/zod-openapi";
import { access, requirePermission } from "../../../auth/authenticate.ts";
import type { Actor } from "../../../auth/actor.ts";
import type { Sql } from "../../../db/client.ts";
import { asActor } from "../../../db/scoped.ts";
import type { AppDeps } from "../../deps.ts";
import { authErrorResponses, commonErrorResponses } from "../../problem.ts";

/** What every /admin route declares: admins only. */
export const adminAccess = { tags: ["admin"], ...access("admin") };
export const adminErrors = { ...commonErrorResponses, ...authErrorResponses };

/** `GET <path>`: every row of one kind, as `{ items: [...] }`. */
export function adminListRoute<T extends z.ZodType>(path: string, summary: string, item: T) {
  return createRoute({
    method: "get",
    path,
    ...adminAccess,
    summary,
    request: { query: z.strictObject({}) },
    responses: { 200: { description: summary, content: { "application/json": { schema: z.object({ items: z.array(item) }) } } }, ...adminErrors },
  });
}

/** Checks the admin role, then runs `work` in the caller's transaction. */
export function asAdmin<T>(deps: AppDeps, actor: Actor, work: (sql: Sql) => Promise<T>): Promise<T> {
  requirePermission(actor, "admin");
  return asActor(deps.sql, actor, ({ sql }) => work(sql));
}
