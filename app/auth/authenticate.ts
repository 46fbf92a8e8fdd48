import { timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { AppDeps } from "../api/deps.ts";
import { ApiError } from "../api/problem.ts";
import { SYSTEM, roleOf, type Actor } from "./actor.ts";
import { resolveKey } from "./key-store.ts";

export type AuthEnv = { Variables: { actor: Actor } };

/** Whom every request acts for with FAILSIGHT_AUTH=off. */
const UNCHECKED_ADMIN: Actor = { kind: "user", userId: 0, name: "anyone (FAILSIGHT_AUTH=off)", role: "admin", keyPrefix: "" };

/** Routes anyone may call: probes and the API's own documentation. */
const PUBLIC = new Set(["/health", "/ready", "/openapi.json", "/docs"]);
/** The one route the scrape token (METRICS_TOKEN) opens; it is not an API key and opens nothing else. */
const SCRAPED = "/metrics";

/** The token of an `Authorization: Bearer <token>` header, if the header is one. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
}
const isPublic = (path: string) => PUBLIC.has(path) || path.startsWith("/docs/");

/**
 * Decides who a request acts for from its `Authorization: Bearer` key. With
 * FAILSIGHT_AUTH=off (a laptop demo) every request acts as an admin: the system scope is
 * the database owner's alone, and the API's role cannot take it.
 */
export function authenticate(deps: AppDeps): MiddlewareHandler<AuthEnv> {
  const scrapeToken = deps.metricsToken ? Buffer.from(deps.metricsToken) : undefined;
  const isScrapeToken = (token: string) => {
    const given = Buffer.from(token);
    return scrapeToken !== undefined && given.length === scrapeToken.length && timingSafeEqual(given, scrapeToken);
  };
  return async (c, next) => {
    if (deps.auth === "off") {
      c.set("actor", UNCHECKED_ADMIN);
      return next();
    }
    if (isPublic(c.req.path)) {
      c.set("actor", SYSTEM);
      return next();
    }
    const token = bearerToken(c.req.header("authorization"));
    if (!token) throw new ApiError("unauthorized", "send Authorization: Bearer <API key>");
    if (c.req.path === SCRAPED && isScrapeToken(token)) {
      c.set("actor", SYSTEM);
      return next();
    }
    const check = await resolveKey(deps.sql, token);
    if (!check.ok) throw new ApiError("unauthorized", check.reason);
    c.set("actor", check.actor);
    return next();
  };
}

export type Permission = "read" | "ingest" | "manage" | "admin";

/** Which roles each permission takes; Failsight's own jobs (system) may do anything. */
export const ROLES_FOR: Record<Permission, readonly string[]> = {
  read: ["viewer", "operator", "admin"],
  ingest: ["ingest", "operator", "admin"],
  manage: ["operator", "admin"],
  admin: ["admin"],
};

export function requirePermission(actor: Actor, permission: Permission): void {
  const role = roleOf(actor);
  if (role === "system" || ROLES_FOR[permission].includes(role)) return;
  throw new ApiError("forbidden", `this needs one of the roles ${ROLES_FOR[permission].join(", ")}; the key's role is ${role}`);
}

/** What a route declares in the OpenAPI document: the key it needs and the roles that may call it. */
export function access(permission: Permission) {
  return { security: [{ apiKey: [] }], "x-failsight-roles": [...ROLES_FOR[permission]] };
}
