import { access, requirePermission } from "../../../auth/authenticate.ts";
import type { Actor } from "../../../auth/actor.ts";
import type { Sql } from "../../../db/client.ts";
import { asActor } from "../../../db/scoped.ts";
import type { AppDeps } from "../../deps.ts";
import { authErrorResponses, commonErrorResponses } from "../../problem.ts";

/** What every /admin route declares: admins only. */
export const adminAccess = { tags: ["admin"], ...access("admin") };
export const adminErrors = { ...commonErrorResponses, ...authErrorResponses };

/** Checks the admin role, then runs `work` in the caller's transaction. */
export function asAdmin<T>(deps: AppDeps, actor: Actor, work: (sql: Sql) => Promise<T>): Promise<T> {
  requirePermission(actor, "admin");
  return asActor(deps.sql, actor, ({ sql }) => work(sql));
}
