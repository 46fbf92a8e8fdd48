import { randomUUID } from "node:crypto";
import { afterAll, inject } from "vitest";
import { createApp } from "../api/app.ts";
import { createDb } from "../db/client.ts";
import { ServiceIds } from "../services/service-ids.ts";

/**
 * The real app on the run's database, called in-process. One per test file; the pool
 * closes when the file ends. Each test names its own services (`unique`) so files can run
 * side by side on one database.
 */
export function testHarness(options: { now?: () => Date; auth?: "on" | "off" } = {}) {
  // The app's pool starts in no scope, as in production; the test's own pool, for checking
  // the database directly, starts in Failsight's system scope.
  const appPool = createDb(inject("databaseUrl"), { max: 4, applicationName: "failsight-test-app" });
  const { sql, db } = createDb(inject("databaseUrl"), { max: 4, applicationName: "failsight-test", systemScope: true });
  const serviceIds = new ServiceIds();
  let clock = options.now ?? (() => new Date());
  const app = createApp({ sql: appPool.sql, serviceIds, now: () => clock(), auth: options.auth ?? "off" });
  afterAll(() => Promise.all([sql.end({ timeout: 5 }), appPool.sql.end({ timeout: 5 })]));

  const request = (path: string, init?: RequestInit) => app.request(path, init);
  return {
    app,
    sql,
    db,
    serviceIds,
    setClock(now: () => Date) {
      clock = now;
    },
    request,
    get: (path: string) => request(path),
    postJson: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      request(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) }),
    patchJson: (path: string, body: unknown) =>
      request(path, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  };
}

/** A service name no other test uses. */
export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
