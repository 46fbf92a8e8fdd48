import { createServer, connect, type AddressInfo } from "node:net";
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

// sql.begin() waited for BEGIN's reply before it ran the work: a round trip of its own in
// every transaction (scripts/patch-postgres-js.cjs). A proxy between postgres.js and the
// server records what crosses the wire, in order.
it("writes a transaction's first statement behind its BEGIN, without waiting for the reply", async () => {
  const target = new URL(asRuntime(inject("databaseUrl")));
  const wire: { from: "client" | "server"; text: string }[] = [];
  const proxy = createServer((client) => {
    const server = connect(Number(target.port || 5432), target.hostname);
    client.on("data", (chunk) => (wire.push({ from: "client", text: chunk.toString("latin1") }), server.write(chunk)));
    server.on("data", (chunk) => (wire.push({ from: "server", text: chunk.toString("latin1") }), client.write(chunk)));
    client.on("close", () => server.destroy());
    server.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const url = new URL(target);
  url.hostname = "127.0.0.1";
  url.port = String((proxy.address() as AddressInfo).port);
  const { sql } = createDb(url.toString(), { max: 1, applicationName: `failsight-begin-${process.pid}` });
  try {
    await sql`SELECT 1`; // connected, so only the transaction is on the wire from here
    wire.length = 0;
    const scope = await asActor(sql, SYSTEM, async ({ sql: tx }) => (await tx<{ scope: string }[]>`SELECT current_setting('failsight.scope') AS scope`)[0]!.scope);
    expect(scope).toBe("system");
    const begin = wire.findIndex((w) => w.from === "client" && w.text.includes("begin"));
    const scoping = wire.findIndex((w) => w.from === "client" && w.text.includes("set_config('failsight.scope'"));
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(scoping).toBeGreaterThanOrEqual(begin);
    // Nothing came back from the server between the BEGIN and the work's first statement.
    expect(wire.slice(begin, scoping + 1).filter((w) => w.from === "server")).toEqual([]);
    // And a failure in the work still rolls the whole transaction back.
    const name = `begin-${process.pid}-${Date.now()}`;
    await expect(
      asActor(sql, SYSTEM, async ({ sql: tx }) => {
        await tx`INSERT INTO teams (name) VALUES (${name})`;
        await tx`SELECT 1/0`;
      }),
    ).rejects.toThrow(/division by zero/);
    expect(await sql`SELECT 1 FROM teams WHERE name = ${name}`).toHaveLength(0);
  } finally {
    await sql.end();
    proxy.close();
  }
});
