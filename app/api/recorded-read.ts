import type { Context } from "hono";
import { routePath } from "hono/route";
import { entryValues, recordRequest, type EntryValues } from "../access/audit-log.ts";
import type { Sql } from "../db/client.ts";
import { readInOneTrip } from "../db/scope.ts";
import { asActor, type Scoped } from "../db/scoped.ts";
import { queryFilters, type AuditEnv } from "./audit-trail.ts";
import type { AppDeps } from "./deps.ts";

/**
 * A read and its audit entry in one transaction: a read that could not be recorded returns
 * nothing, and the request costs one transaction rather than two, with no round trip of
 * its own for the entry. The commit does not wait for its WAL flush (synchronous_commit
 * off): the transaction wrote only the audit row, which a crash of the database server in
 * the next fraction of a second could lose, and that flush was a read's largest cost after
 * the query. `recorded` gives the row count of
 * a successful answer, or undefined to leave the entry to the audit middleware (a 404
 * thrown after).
 */
export async function readAndRecord<T>(
  c: Context<AuditEnv>,
  deps: AppDeps,
  work: (scoped: Scoped) => Promise<T>,
  recorded: (result: T) => number | undefined,
  filters: Record<string, unknown> = queryFilters(c),
): Promise<T> {
  const actor = c.get("actor");
  let recording: Promise<void> | undefined;
  const result = await asActor(
    deps.sql,
    actor,
    async (scoped) => {
      const read = await work(scoped);
      const rowCount = recorded(read);
      if (rowCount !== undefined) {
        // Not waited for here: the COMMIT follows the INSERT on the same connection at once.
        // An INSERT that fails leaves the transaction to roll back at that COMMIT, which
        // PostgreSQL answers without an error, so its failure is awaited after it instead.
        recording = recordRequest(scoped.sql, actor, { method: c.req.method, path: c.req.path, route: routePath(c, -1), status: 200, filters, rowCount });
        recording.catch(() => {});
      }
      return read;
    },
    { waitForFlush: false },
  );
  if (recording) {
    await recording;
    // Only once committed: a rolled-back entry is left to the audit middleware.
    c.set("audit", "recorded");
  }
  return result;
}

/**
 * A read whose statement writes its own audit entry (the entry's values are handed to
 * `send`, which puts them in the statement; GET /logs), sent with BEGIN, the scope and
 * COMMIT in one round trip (db/scope.ts, readInOneTrip): the entry commits exactly when the
 * read does, and a read that could not be recorded returns nothing. No WAL flush is
 * waited for, as in readAndRecord.
 */
export async function readRecordingItself<T>(
  c: Context<AuditEnv>,
  deps: AppDeps,
  send: (sql: Sql, entry: EntryValues) => Promise<T>,
  filters: Record<string, unknown> = queryFilters(c),
): Promise<T> {
  const actor = c.get("actor");
  const entry = entryValues(actor, { method: c.req.method, path: c.req.path, route: routePath(c, -1), status: 200, filters });
  const result = await readInOneTrip(deps.sql, actor, (sql) => send(sql, entry), { waitForFlush: false });
  c.set("audit", "recorded");
  return result;
}
