import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { bearerToken, type AuthEnv } from "./authenticate.ts";
import { recordRequest } from "../access/audit-log.ts";
import { parseKey } from "../access/key-format.ts";
import { asActor } from "../db/scoped.ts";
import { log } from "../log.ts";
import { auditFailures } from "../metrics/registry.ts";
import type { AppDeps } from "./deps.ts";

/**
 * `recorded`: the route wrote its entry in its own transaction; `skip`: its guard says it
 * is not worth a row (probes, docs, scrapes; see route.ts).
 */
export type AuditEnv = AuthEnv & { Variables: { audit?: "recorded" | "skip" } };

/** The query string as the audit trail keeps it: one value, or the list when repeated. */
export function queryFilters(c: Context): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
}

/**
 * Every request except probes, docs and scrapes leaves one entry: who (the key's user and
 * role, or "anonymous" with the key prefix it tried), what (method, path, route template,
 * query), when, and the outcome (the status answered). Routes that record inside their
 * own transaction (GET /logs with the rows it returned, POST /v1/logs with the events it
 * stored) set `audit` to `recorded`.
 */
export function auditTrail(deps: AppDeps): MiddlewareHandler<AuditEnv> {
  return async (c, next) => {
    await next();
    if (c.get("audit")) return;
    const template = routePath(c, -1);
    const entry = {
      method: c.req.method,
      path: c.req.path,
      route: template === "/*" || template === "*" ? undefined : template,
      status: c.res.status,
      filters: queryFilters(c),
      rowCount: 0,
      keyPrefix: parseKey(bearerToken(c.req.header("authorization")) ?? "")?.prefix,
    };
    // A 401 was not let in as anyone, even with a key that once held: recorded as anonymous, with the prefix it tried.
    const actor = c.res.status === 401 ? undefined : c.get("actor");
    try {
      if (actor) await asActor(deps.sql, actor, ({ sql }) => recordRequest(sql, actor, entry));
      else await deps.sql.begin(async (tx) => {
        await tx`SELECT set_config('failsight.scope', 'request', true)`;
        await recordRequest(tx as never, undefined, entry);
      });
    } catch (error) {
      // The request itself is done (a change committed, or a refusal answered); a trail
      // that could not be written is an operator's alarm, not the caller's error.
      auditFailures.inc();
      log.error({ err: error, method: entry.method, path: entry.path }, "could not write the audit entry");
    }
  };
}
