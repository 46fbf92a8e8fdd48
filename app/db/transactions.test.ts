import { createServer, connect, type AddressInfo } from "node:net";
import { describe, expect, inject, it } from "vitest";
import { asRuntime } from "../test-support/harness.ts";
import { createDb, type Sql } from "./client.ts";
import { eq } from "drizzle-orm";
import { asActor } from "./scoped.ts";
import { readInOneTrip } from "./scope.ts";
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

/** A pool whose connections pass through a proxy that records what crosses the wire, in order. */
async function watchedPool(name: string) {
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
  const { sql } = createDb(url.toString(), { max: 1, applicationName: `failsight-${name}-${process.pid}` });
  await sql`SELECT 1`; // connected: from here only what a test sends is on the wire
  wire.length = 0;
  /** Whether the server said anything between the client's first mention of `first` and its first mention of `then`. */
  const repliedBetween = (first: string, then: string) => {
    const a = wire.findIndex((w) => w.from === "client" && w.text.includes(first));
    const b = wire.findIndex((w) => w.from === "client" && w.text.includes(then));
    expect(a, first).toBeGreaterThanOrEqual(0);
    expect(b, then).toBeGreaterThanOrEqual(a);
    return wire.slice(a, b + 1).some((w) => w.from === "server");
  };
  const close = async () => {
    await sql.end();
    proxy.close();
  };
  return { sql, wire, repliedBetween, close };
}

// sql.begin() waited for BEGIN's reply before it ran the work: a round trip of its own in
// every transaction (scripts/patch-postgres-js.cjs).
it("writes a transaction's first statement behind its BEGIN, without waiting for the reply", async () => {
  const { sql, repliedBetween, close } = await watchedPool("begin");
  try {
    const scope = await asActor(sql, SYSTEM, async ({ sql: tx }) => (await tx<{ scope: string }[]>`SELECT current_setting('failsight.scope') AS scope`)[0]!.scope);
    expect(scope).toBe("system");
    expect(repliedBetween("begin", "set_config('failsight.scope'")).toBe(false);
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
    await close();
  }
});

// An unprepared statement (every drizzle query) was described before it was bound: a round
// trip per statement. Plain values are written the same whatever their type, so those go in
// one go; an array's text depends on its type, so that still waits for the description.
it("binds an unprepared statement of plain values without waiting for its description, and one with an array after it", async () => {
  const { sql, wire, repliedBetween, close } = await watchedPool("describe");
  try {
    const [plain] = await sql.unsafe<{ n: number; t: string; b: boolean; z: null }[]>("SELECT $1::int + 1 AS n, $2::text AS t, $3::boolean AS b, $4::text AS z /* plain */", [41, "ok", true, null]);
    expect(plain).toEqual({ n: 42, t: "ok", b: true, z: null });
    const bind = (marker: string) => wire.findIndex((w) => w.from === "client" && w.text.includes(marker) && w.text.includes("B\0"));
    expect(bind("/* plain */"), "Parse and Bind in one write").toBeGreaterThanOrEqual(0);
    wire.length = 0;
    const [array] = await sql.unsafe<{ n: number }[]>("SELECT cardinality($1::int[]) AS n /* array */", [[1, 2, 3]] as never[]);
    expect(array).toEqual({ n: 3 });
    expect(bind("/* array */")).toBe(-1);
    expect(repliedBetween("/* array */", "B\0")).toBe(true);
  } finally {
    await close();
  }
});

// A read that needs nothing back before its COMMIT (GET /logs, whose statement writes its
// own audit entry) goes as one write: BEGIN, scope, the read, COMMIT (db/scope.ts).
describe("a read in one round trip", () => {
  /** Whether this connection is outside the read's transaction, whose scope setting would still hold. */
  const idle = async (sql: Awaited<ReturnType<typeof watchedPool>>["sql"]) =>
    (await sql<{ scope: string }[]>`SELECT coalesce(current_setting('failsight.scope', true), '') AS scope`)[0]!.scope === "";

  it("sends BEGIN, the scope, its statements and COMMIT before any answer, and reads in the scope", async () => {
    const { sql, wire, close } = await watchedPool("one-trip");
    const read = () => readInOneTrip(sql, SYSTEM, (tx) => tx<{ scope: string }[]>`SELECT current_setting('failsight.scope') AS scope`.execute());
    try {
      // The first time on a connection, a statement is described before it is prepared.
      await read();
      wire.length = 0;
      const [row] = await read();
      expect(row!.scope).toBe("system");
      // Prepared now, its statements go by name: all the client wrote precedes all the server said.
      const firstReply = wire.findIndex((w) => w.from === "server");
      expect(firstReply).toBeGreaterThan(0);
      expect(wire.slice(firstReply).some((w) => w.from === "client")).toBe(false);
      expect(await idle(sql)).toBe(true);
    } finally {
      await close();
    }
  });

  // What the work queued before the failure (a team) must not commit, and the connection
  // must go back to the pool outside the transaction.
  it.each([
    { when: "a statement fails", last: (tx: Sql) => tx`SELECT 1/0`.execute(), error: /division by zero/ },
    { when: "the work throws before it is sent", last: (): never => { throw new Error("a bug in the work"); }, error: /a bug in the work/ },
  ])("rolls back and throws when $when, and hands the connection back outside a transaction", async ({ last, error }) => {
    const { sql, close } = await watchedPool("one-trip-fails");
    try {
      const name = `one-trip-${process.pid}-${Date.now()}`;
      await expect(
        readInOneTrip(sql, SYSTEM, (tx) => {
          tx`INSERT INTO teams (name) VALUES (${name})`.execute().catch(() => {});
          return last(tx);
        }),
      ).rejects.toThrow(error);
      expect(await sql`SELECT 1 FROM teams WHERE name = ${name}`).toHaveLength(0);
      expect(await idle(sql)).toBe(true);
    } finally {
      await close();
    }
  });
});
