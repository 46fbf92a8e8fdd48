import { log } from "../log.ts";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, inject } from "vitest";
import { addMember, createGrant, createTeam, createUser } from "../access/repository.ts";
import { createKey, revokeKey } from "../access/api-keys.ts";
import type { Role } from "../domain/vocabulary.ts";
import { createApp } from "../api/app.ts";
import { drizzle } from "drizzle-orm/postgres-js";
import { createDb } from "../db/client.ts";
import * as schema from "../db/schema.ts";
import { ServiceIds } from "../services/service-ids.ts";
import { HourHistograms } from "../status/hour-histograms.ts";
import { StatusPageSource } from "../status-pages/page-data.ts";

/** Who a test calls the API as: a user key of a role (in teams, with grants), an ingest key, or no key. */
export type CallerSpec =
  | { role: Role; teams?: string[]; grants?: { service: string; access: "read" | "write" }[] }
  | { ingest: string[] }
  | { anonymous: true }
  | { revoked: Role };

export type Caller = {
  /** The bearer key, or undefined for an anonymous caller. */
  key: string | undefined;
  /** The user's name, for user keys. */
  user: string | undefined;
  request: (path: string, init?: RequestInit) => Promise<Response>;
  get: (path: string) => Promise<Response>;
  postJson: (path: string, body: unknown) => Promise<Response>;
  patchJson: (path: string, body: unknown) => Promise<Response>;
  send: (method: string, path: string, body?: unknown) => Promise<Response>;
};

/**
 * The real app on the run's database, called in-process, with authentication on and
 * row-level security deciding what each caller sees. One per test file; the pools close when
 * the file ends. Each test names its own services, teams and users (`unique`) so files can
 * run side by side on one database.
 *
 * `h.get`, `h.postJson`, ... call as an admin user's key, made for this file: a real caller
 * under RLS (the admin policies), never Failsight's own system scope. Tests about what a
 * role may see or do make their own callers with `h.caller(...)`.
 *
 * `h.sql` and `h.db` are the test's own pool, the owner's, in Failsight's system scope, for
 * arranging data and checking the database directly, as Failsight's own jobs do: it is
 * never used to make a request. `h.appPool` is the app's: the runtime role, no scope. `auth: "off"` is only for the tests of FAILSIGHT_AUTH=off itself.
 */
export function testHarness(options: { now?: () => Date; auth?: "on" | "off"; databaseUrl?: string } = {}) {
  const databaseUrl = options.databaseUrl ?? inject("databaseUrl");
  // A line per request would bury a failure's output; LOG_LEVEL=info shows them.
  log.level = process.env.LOG_LEVEL ?? "warn";
  // The app connects as the runtime role, as the API does in production; the test's own
  // pool is the owner's (the role that migrated), in the system scope.
  const appPool = createDb(asRuntime(databaseUrl), { max: 4, applicationName: "failsight-test-app" });
  const { sql } = createDb(databaseUrl, { max: 4, applicationName: "failsight-test", systemScope: true });
  const db = drizzle(sql, { schema });
  const serviceIds = new ServiceIds();
  let clock = options.now ?? (() => new Date());
  const app = createApp({ sql: appPool.sql, serviceIds, hourHistograms: new HourHistograms(), now: () => clock(), auth: options.auth ?? "on", statusPages: new StatusPageSource(sql, () => clock()) });
  afterAll(() => Promise.all([sql.end({ timeout: 5 }), appPool.sql.end({ timeout: 5 })]));

  const clientFor = (key: string | undefined, user?: string): Caller => {
    const request = (path: string, init: RequestInit = {}) =>
      Promise.resolve(app.request(path, { ...init, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.headers as Record<string, string> | undefined) } }));
    const send = (method: string, path: string, body?: unknown) =>
      request(path, body === undefined ? { method } : { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return {
      key,
      user,
      request,
      get: (path) => request(path),
      postJson: (path, body) => send("POST", path, body),
      patchJson: (path, body) => send("PATCH", path, body),
      send,
    };
  };

  /** Makes the user (and its teams and grants) or the ingest key the spec describes. */
  async function caller(spec: CallerSpec): Promise<Caller> {
    if ("anonymous" in spec) return clientFor(undefined);
    if ("ingest" in spec) return clientFor((await createKey(sql, { name: unique("ingest"), services: spec.ingest }))!.key);
    const role = "revoked" in spec ? spec.revoked : spec.role;
    const name = unique(role);
    const teams = "teams" in spec ? (spec.teams ?? []) : [];
    for (const team of teams) await createTeam(sql, team);
    await createUser(sql, name, role, []);
    for (const team of teams) await addMember(sql, team, name);
    for (const g of "grants" in spec ? (spec.grants ?? []) : []) await createGrant(sql, g.service, { user: name }, g.access);
    const key = (await createKey(sql, { name: `${name}'s key`, user: name }))!;
    if ("revoked" in spec) await revokeKey(sql, key.prefix);
    return clientFor(key.key, name);
  }

  let admin: Caller = clientFor(undefined);
  if ((options.auth ?? "on") === "on") {
    beforeAll(async () => {
      admin = await caller({ role: "admin" });
    });
  }

  return {
    app,
    sql,
    db,
    /** The app's own pool: the runtime role, no scope, as the API's. */
    appPool: appPool.sql,
    serviceIds,
    caller,
    /** The file's admin caller (see above). */
    get admin() {
      return admin;
    },
    setClock(now: () => Date) {
      clock = now;
    },
    request: (path: string, init?: RequestInit) => admin.request(path, init),
    get: (path: string) => admin.get(path),
    postJson: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      admin.request(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) }),
    patchJson: (path: string, body: unknown) => admin.patchJson(path, body),
  };
}

/** A database of the run (the shared one or a fresh copy) as the API's runtime role. */
export function asRuntime(databaseUrl: string): string {
  const runtime = new URL(inject("runtimeDatabaseUrl"));
  const url = new URL(databaseUrl);
  url.username = runtime.username;
  url.password = runtime.password;
  return url.toString();
}

/** A name no other test uses. */
export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
