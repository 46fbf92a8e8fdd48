import { RequestError } from "../domain/request-error.ts";
import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { ROLES_FOR, refusal, type Permission } from "../domain/permissions.ts";
import type { AuditEnv } from "./audit-trail.ts";
import { problemResponses, type ProblemCode } from "./problem.ts";
import type { Router } from "./router.ts";

/** Who may call a route: anyone, or the holders of one permission. */
export type Access = "public" | Permission;

/** The problems a route can answer beyond the ones every route of its access can, each with what it means there. */
export type RouteErrors = Partial<Record<ProblemCode, string>>;

/** What every guarded route can answer, besides its own. */
const GUARDED_ERRORS: RouteErrors = {
  "validation-error": "The request is not valid; `errors` names each field",
  unauthorized: "No key, or an unknown, revoked or expired one",
  forbidden: "The key's role may not do this, or its scope does not cover the service",
  "internal-error": "Something failed on Failsight's side; it is logged",
};

/**
 * A route's whole contract in one declaration: who may call it (`access`, enforced by the
 * guard this attaches and published as the security scheme and `x-failsight-roles`), and
 * every error it can answer (the common ones of its access plus `errors`), all in the
 * OpenAPI document.
 */
export function defineRoute<const R extends Omit<RouteConfig, "security" | "middleware">>(
  declared: R & { access: Access; errors?: RouteErrors },
): Omit<R, "access" | "errors"> {
  const { access, errors, responses, ...route } = declared;
  const guarded = access !== "public";
  return createRoute({
    ...route,
    ...(guarded ? { security: [{ apiKey: [] }], "x-failsight-roles": [...ROLES_FOR[access]] } : {}),
    middleware: [guard(access)],
    responses: { ...problemResponses({ ...(guarded ? GUARDED_ERRORS : {}), ...errors }), ...responses },
  } as RouteConfig) as never;
}

/**
 * Admits or refuses a request before its input is read: 401 without a usable key, 403 for
 * a key whose role does not cover `access`. Public routes, and Prometheus' scrapes, leave
 * no audit entry: they are probes and documents, and would drown the trail.
 */
export function guard(access: Access): MiddlewareHandler<AuditEnv> {
  return async (c, next) => {
    if (access === "public" || access === "scrape") c.set("audit", "skip");
    if (access !== "public") {
      const actor = c.get("actor");
      if (!actor) throw new RequestError("unauthorized", c.get("refused") ?? "send Authorization: Bearer <API key>");
      const why = refusal(actor, access);
      if (why) throw new RequestError("forbidden", why);
    }
    await next();
  };
}

/**
 * Mounts a route whose handler reads its own input (ingest bodies): the route is in the
 * OpenAPI document and its guard runs first, but zod-openapi validates nothing.
 */
export function mountUnvalidated(app: Router, route: ReturnType<typeof defineRoute>, ...handlers: MiddlewareHandler<AuditEnv>[]) {
  const { middleware, ...documented } = route as RouteConfig;
  app.openAPIRegistry.registerPath(documented);
  const guards = [middleware ?? []].flat() as MiddlewareHandler<AuditEnv>[];
  app.on(route.method.toUpperCase(), [route.path.replaceAll(/\/{(.+?)}/g, "/:$1")], ...guards, ...handlers);
}
