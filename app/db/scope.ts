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
 * connection carried before can leak into this request. For an actor let in by an API key,
 * the same statement checks the key still holds (not revoked, not expired, its user's role
 * unchanged; migrations/0012), so a key the API verified earlier and kept is refused on the
 * first request after its revocation. `waitForFlush: false` commits without waiting for the
 * WAL to reach disk: for transactions whose only write may be lost in a server crash (the
 * audit row of a read). Loads no ORM: the controller (100 MiB) runs its checks through this;
 * db/scoped.ts adds drizzle for the API.
 */
export async function runInScope<T>(pool: Sql, actor: Actor, work: (scoped: InScope) => T | Promise<T>, options: { waitForFlush?: boolean } = {}): Promise<T> {
  const scope = actor.kind === "system" ? "system" : "request";
  const role = actor.kind === "user" ? actor.role : actor.kind === "ingest" ? "ingest" : "";
  const userId = actor.kind === "user" ? String(actor.userId) : "";
  const ingest = actor.kind === "ingest" ? JSON.stringify(actor.services) : "";
  const committed: (() => void)[] = [];
  const keyId = actor.kind === "user" || actor.kind === "ingest" ? actor.keyId : undefined;
  const result = await pool.begin(async (tx) => {
    // The key's check rides on the statement that sets the scope, and that statement is not
    // waited for: the work's first statement follows it on the same connection at once, so
    // setting the scope costs no round trip (a read is BEGIN, scope + query, COMMIT). A
    // connection runs its statements in the order sent, so the work's all run in the scope;
    // a key that no longer holds fails the whole transaction before anything commits.
    const setting = tx<{ key_holds: boolean }[]>`
      SELECT set_config('failsight.scope', ${scope}, true), set_config('failsight.role', ${role}, true),
             set_config('failsight.user_id', ${userId}, true), set_config('failsight.ingest_services', ${ingest}, true),
             ${options.waitForFlush === false ? tx`set_config('synchronous_commit', 'off', true),` : tx``}
             ${keyId === undefined ? tx`true` : tx`failsight_key_is_current(${keyId}, ${role})`} AS key_holds`.execute();
    // Resolved once here: a drizzle query builder the work returns unawaited is a thenable
    // that runs its statement each time it is awaited (a DELETE ... RETURNING then answered
    // "nothing deleted" the second time).
    const done = Promise.resolve(work({ sql: tx as unknown as TxSql, afterCommit: (run) => committed.push(run), tx }));
    // Whatever the work meets is reported below, or superseded by the scope's own failure.
    done.catch(() => {});
    const [set] = await setting.catch(async (error: unknown) => {
      await done.catch(() => {});
      throw error;
    });
    if (!set!.key_holds) {
      await done.catch(() => {});
      throw new RequestError("unauthorized", KEY_NO_LONGER_HOLDS);
    }
    return done;
  });
  for (const run of committed) run();
  return result as T;
}
