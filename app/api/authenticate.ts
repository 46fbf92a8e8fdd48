import { timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { KeyCache } from "../access/api-keys.ts";
import { SCRAPER, type Actor } from "../domain/actor.ts";
import { KEY_NO_LONGER_HOLDS, RequestError } from "../domain/request-error.ts";
import type { AppDeps } from "./deps.ts";

/**
 * `actor` is who the request acts for, once a route's guard (route.ts) has admitted it;
 * `refused` says why the key sent could not be used. Neither is set for a request without
 * a key.
 */
export type AuthEnv = { Variables: { actor: Actor; refused?: string } };

/** Whom every request acts for with FAILSIGHT_AUTH=off. */
const UNCHECKED_ADMIN: Actor = { kind: "user", userId: 0, name: "anyone (FAILSIGHT_AUTH=off)", role: "admin", keyPrefix: "" };

/**
 * The key an `Authorization` header carries: `Bearer <key>`, or `Basic` with the key as the
 * password (the user is ignored), for shippers that only do Basic (pino-http-send, some
 * Loki and Fluent Bit setups).
 */
export function bearerToken(header: string | undefined): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
  if (bearer) return bearer;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? "")?.[1];
  if (!basic) return undefined;
  const decoded = Buffer.from(basic, "base64").toString("utf8");
  const password = decoded.slice(decoded.indexOf(":") + 1);
  return decoded.includes(":") && password ? password : undefined;
}

/**
 * Learns who a request is from its `Authorization: Bearer` key, and decides nothing: each
 * route's guard admits or refuses (so a public route answers whatever key it is sent, and
 * an unknown path is a 404 for everyone). With FAILSIGHT_AUTH=off (a laptop demo) every
 * request acts as an admin: the system scope is the database owner's alone, and the API's
 * role cannot take it.
 */
export function authenticate(deps: AppDeps): MiddlewareHandler<AuthEnv> {
  const scrapeToken = deps.metricsToken ? Buffer.from(deps.metricsToken) : undefined;
  const isScrapeToken = (token: string) => {
    const given = Buffer.from(token);
    return scrapeToken !== undefined && given.length === scrapeToken.length && timingSafeEqual(given, scrapeToken);
  };
  const keys = new KeyCache();
  return async (c, next) => {
    if (deps.auth === "off") {
      c.set("actor", UNCHECKED_ADMIN);
      return next();
    }
    const header = c.req.header("authorization");
    if (header === undefined) return next();
    const token = bearerToken(header);
    if (!token) c.set("refused", "send Authorization: Bearer <API key> (or Basic, with the key as the password)");
    else if (isScrapeToken(token)) c.set("actor", SCRAPER);
    else {
      const check = await keys.resolve(deps.sql, token);
      if (check.ok) c.set("actor", check.actor);
      else c.set("refused", check.reason);
    }
    await next();
    // A key that failed its transaction check is read afresh next time (a changed role is then the new one).
    if (token && c.error instanceof RequestError && c.error.message === KEY_NO_LONGER_HOLDS) keys.forget(token);
  };
}
