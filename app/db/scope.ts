import type { Actor } from "../domain/actor.ts";
import { KEY_NO_LONGER_HOLDS, RequestError } from "../domain/request-error.ts";
import type { Sql, Tx } from "./client.ts";

/** postgres.js on one transaction: the repositories' Sql, which can also take a savepoint. */
export type TxSql = Sql & Pick<Tx, "savepoint">;

/** One transaction in a scope, as postgres.js; `afterCommit` runs work only once it has committed. */
export type InScope = { sql: TxSql; afterCommit: (run: () => void) => void; tx: Tx };

/**
 * Runs `work` in one transaction whose settings tell PostgreSQL's row-level security who is
 * asking (see migrations/0003). Every setting is written every time, so nothing a pooled
 * connection carried before can leak into this request; the same statement checks the key
 * (setScope). `waitForFlush: false` commits without waiting for the WAL to reach disk: for
 * transactions whose only write may be lost in a server crash (the audit row of a read).
 * Loads no ORM: the controller (100 MiB) runs its checks through this; db/scoped.ts adds
 * drizzle for the API.
 */
export async function runInScope<T>(pool: Sql, actor: Actor, work: (scoped: InScope) => T | Promise<T>, options: ScopeOptions = {}): Promise<T> {
  const committed: (() => void)[] = [];
  const result = await pool.begin(async (tx) => {
    // The scope's statement is not waited for: the work's first statement follows it on
    // the same connection at once, so setting the scope costs no round trip (a read is
    // BEGIN, scope + query, COMMIT). A connection runs its statements in the order sent, so
    // the work's all run in the scope; a key that no longer holds fails the scope's
    // statement, and with it the whole transaction, before anything commits.
    const setting = setScope(tx as unknown as Sql, actor, options);
    // Resolved once here: a drizzle query builder the work returns unawaited is a thenable
    // that runs its statement each time it is awaited (a DELETE ... RETURNING then answered
    // "nothing deleted" the second time).
    const done = Promise.resolve(work({ sql: tx as unknown as TxSql, afterCommit: (run) => committed.push(run), tx }));
    // Whatever the work meets is reported below, or superseded by the scope's own failure.
    done.catch(() => {});
    await setting.catch(async (error: unknown) => {
      await done.catch(() => {});
      throw error;
    });
    return done;
  }).catch(refuseStaleKey);
  for (const run of committed) run();
  return result as T;
}

/**
 * A read in one round trip: BEGIN, the scope, the read's statements and COMMIT go to the
 * server in one write, and the answer is awaited once. runInScope waits for the work's
 * result before it can COMMIT: a round trip of its own per request. `send` must queue
 * every statement of the read (postgres.js `.execute()`) before it returns, awaiting
 * nothing: whatever it queued later would run after the COMMIT, outside the transaction.
 * A statement that fails aborts the transaction, so the statements after it fail too and
 * the COMMIT rolls back; the first failure, in the order sent, is the one thrown. For
 * reads that write their own audit entry in the same statement (GET /logs): the entry
 * commits exactly when the read does.
 */
export async function readInOneTrip<T>(pool: Sql, actor: Actor, send: (sql: Sql) => Promise<T>, options: ScopeOptions = {}): Promise<T> {
  const connection = await pool.reserve();
  try {
    const sent = [connection`BEGIN`.execute(), setScope(connection, actor, options)] as Promise<unknown>[];
    let read: Promise<T>;
    let end = connection`COMMIT`;
    try {
      read = send(connection);
    } catch (error) {
      // The transaction must still end before the connection goes back to the pool.
      read = Promise.reject(error);
      end = connection`ROLLBACK`;
    }
    sent.push(read, end.execute());
    const settled = await Promise.allSettled(sent);
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) throw refuseStaleKey(failed.reason);
    // Without an earlier failure a COMMIT that rolled back means the server ended the
    // transaction on its own; nothing it read may be handed on.
    if ((settled[3] as PromiseFulfilledResult<{ command?: string }>).value.command !== "COMMIT") throw new Error("the read's transaction did not commit");
    return (settled[2] as PromiseFulfilledResult<T>).value;
  } finally {
    connection.release();
  }
}

/** waitForFlush: false commits without waiting for the WAL to reach disk (see runInScope). */
export type ScopeOptions = { waitForFlush?: boolean };

/** The SQLSTATE failsight_require_current_key raises (migrations/0017). */
const KEY_REFUSED = "FS401";

/**
 * Sends, without waiting, the statement that sets the transaction's scope, and for an
 * actor let in by an API key checks the key still holds (not revoked, not expired, its
 * user's role unchanged; migrations/0012 and 0017), so a key the API verified earlier and
 * kept is refused on the first request after its revocation.
 */
function setScope(sql: Sql, actor: Actor, options: ScopeOptions): Promise<unknown> {
  const scope = actor.kind === "system" ? "system" : "request";
  const role = actor.kind === "user" ? actor.role : actor.kind === "ingest" ? "ingest" : "";
  const userId = actor.kind === "user" ? String(actor.userId) : "";
  const ingest = actor.kind === "ingest" ? JSON.stringify(actor.services) : "";
  const keyId = actor.kind === "user" || actor.kind === "ingest" ? actor.keyId : undefined;
  return sql`
    SELECT set_config('failsight.scope', ${scope}, true), set_config('failsight.role', ${role}, true),
           set_config('failsight.user_id', ${userId}, true), set_config('failsight.ingest_services', ${ingest}, true),
           ${options.waitForFlush === false ? sql`set_config('synchronous_commit', 'off', true),` : sql``}
           ${keyId === undefined ? sql`true` : sql`failsight_require_current_key(${keyId}, ${role})`}`.execute();
}

/** A key refused by the database is the caller's 401, as if it had been refused at the door. */
function refuseStaleKey(error: unknown): never {
  if ((error as { code?: string }).code === KEY_REFUSED) throw new RequestError("unauthorized", KEY_NO_LONGER_HOLDS);
  throw error;
}
