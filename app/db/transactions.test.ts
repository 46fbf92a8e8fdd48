import { expect, inject, it } from "vitest";
import { asRuntime } from "../test-support/harness.ts";
import { createDb } from "./client.ts";
import { eq } from "drizzle-orm";
import { asActor } from "./scoped.ts";
import { SYSTEM } from "../domain/actor.ts";
import { teams } from "./schema.ts";

// postgres.js 3.4.9 reserves a transaction's connection in a hook that runs only while the
// connection can take more pipelined queries: a BEGIN that was the 100th query queued on a
// busy connection reached the server unreserved, failed with UNSAFE_TRANSACTION (a 500 on
// ingest under load, seen in CI), and left that connection open in a transaction for the
// next request's queries. scripts/patch-postgres-js.cjs mends it at install time
// (porsager/postgres#1189, unmerged upstream).
it("keeps a transaction's connection when its BEGIN is the query that fills a busy connection's pipeline", async () => {
  const application = `failsight-pipeline-${process.pid}`;
  const { sql } = createDb(asRuntime(inject("databaseUrl")), { max: 2, applicationName: application });
  try {
    await Promise.all([sql`SELECT 1`, sql`SELECT 1`]); // both connections open
    const busy = [sql`SELECT pg_sleep(0.2)`.execute(), sql`SELECT pg_sleep(0.2)`.execute()];
    // postgres.js hands queued queries to busy connections in turn, up to 100 in flight each:
    // 99 more each, so the BEGIN is the hundredth on one of them.
    const filler = Array.from({ length: 2 * 99 }, () => sql`SELECT 1`.execute());
    const system = { kind: "system" } as const;
    const inTransaction = asActor(sql, system, async ({ sql: tx }) => (await tx<{ scope: string }[]>`SELECT current_setting('failsight.scope') AS scope`)[0]!.scope);
    // A query queued after it must not run inside that transaction.
    const after = sql<{ scope: string | null }[]>`SELECT current_setting('failsight.scope', true) AS scope`.execute();
    await Promise.all([...busy, ...filler]);
    expect(await inTransaction).toBe("system");
    expect((await after)[0]!.scope ?? "").toBe("");
    const open = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = ${application} AND state LIKE 'idle in transaction%'`;
    expect(open[0]!.n).toBe(0);
  } finally {
    await sql.end();
  }
});

// A drizzle query builder is a thenable that runs its statement each time it is awaited: a
// work that returned one (`({ db }) => db.delete(...)`) ran it twice, once when asActor
// watched it for errors and once when it returned it. A DELETE ... RETURNING so answered
// "nothing deleted" (DELETE /status-pages answered 404), and every list read ran twice.
it("runs a statement the work returns unawaited once", async () => {
  const { sql } = createDb(inject("databaseUrl"), { max: 1, applicationName: `failsight-once-${process.pid}`, systemScope: true });
  const name = `once-${process.pid}-${Date.now()}`;
  try {
    await sql`INSERT INTO teams (name) VALUES (${name})`;
    const deleted = await asActor(sql, SYSTEM, ({ db }) => db.delete(teams).where(eq(teams.name, name)).returning({ name: teams.name }));
    expect(deleted).toEqual([{ name }]);
  } finally {
    await sql`DELETE FROM teams WHERE name = ${name}`;
    await sql.end();
  }
});
