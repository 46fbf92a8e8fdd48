import { expect, inject, it, vi } from "vitest";
import { createDb } from "./client.ts";

// Issue 15: on a server with JIT (the PostgreSQL 15 CI runs on), JIT compilation was most
// of a /status call, and a generic plan crossing jit_above_cost made a 10 ms query take a
// second. Every connection Failsight makes has it off.
it("turns JIT off on every connection, so no plan compiles however costly it looks", async () => {
  const { sql } = createDb(inject("databaseUrl"), { max: 1 });
  try {
    expect((await sql<{ jit: string }[]>`SHOW jit`)[0]!.jit).toBe("off");
    const [jit] = await sql<{ available: boolean }[]>`SELECT pg_jit_available() AS available`;
    if (jit!.available) {
      // Where the server can compile (PostgreSQL 15 here; the embedded 18 has no provider), show it would have.
      const plan = await sql.begin(async (tx) => {
        await tx`SET LOCAL jit_above_cost = 0`;
        return tx.unsafe(`EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM generate_series(1, 10000) g WHERE g % 7 = 0`);
      });
      expect(JSON.stringify(plan)).not.toContain('"JIT"');
    }
  } finally {
    await sql.end();
  }
});

// Raw queries pass and read dates as text (client.ts, textDates): the pool does it from its
// first query, before drizzle ever wraps it, in every entry point.
it("keeps dates as text both ways from the pool's first query, without drizzle", async () => {
  const { sql } = createDb(inject("databaseUrl"), { max: 1 });
  try {
    const [row] = await sql<{ at: unknown; day: unknown; echoed: unknown }[]>`
      SELECT '2026-11-26T08:00:00Z'::timestamptz AS at, '2026-11-26'::date AS day, ${"2026-11-26T09:30:00.000Z"}::timestamptz::text AS echoed`;
    expect(row!.at).toBe("2026-11-26 08:00:00+00");
    expect(row!.day).toBe("2026-11-26");
    expect(row!.echoed).toBe("2026-11-26 09:30:00+00");
  } finally {
    await sql.end();
  }
});

// Ingest's columns reach the pool as UTF-8 bytes from the parse worker
// (ingest/event-columns.ts, movedAsBytes): postgres.js writes such a parameter as the text
// it holds (scripts/patch-postgres-js.cjs), and a Buffer for bytea as before.
it("binds bytes given for a text parameter as the text they hold, and a Buffer for bytea as bytes", async () => {
  const { sql } = createDb(inject("databaseUrl"), { max: 1 });
  try {
    const awkward = ["é ü ñ", "日本語", "😀 \"quoted\" \\ back", "", "a,b {c}"];
    const literal = new TextEncoder().encode(`{${awkward.map((v) => JSON.stringify(v)).join(",")}}`);
    // Twice: first described by the server, then bound to the statement it prepared.
    for (const prepare of [true, false]) {
      const [row] = await sql<{ values: string[]; n: number }[]>`
        SELECT ${sql.typed(literal, 0)}::text[] AS values, ${sql.typed(new TextEncoder().encode("{1,2,3}"), 0)}::int[] AS n`.execute();
      expect(row!.values).toEqual(awkward);
      expect(row!.n).toEqual([1, 2, 3]);
      const [bytea] = await sql.unsafe<{ hex: string }[]>("SELECT encode($1::bytea, 'hex') AS hex", [Buffer.from([0, 1, 254, 255])], { prepare });
      expect(bytea!.hex).toBe("0001feff");
    }
  } finally {
    await sql.end();
  }
});

// An ingest batch's Bind carries megabytes, and every buffer postgres.js made on its way to
// the socket (its growth, the Execute appended, the copy queued) was counted by V8 towards
// the event loop's next full GC (scripts/patch-postgres-js.cjs).
it("builds a statement's message in one buffer of about its size, and binds what it carries", async () => {
  const { sql } = createDb(inject("databaseUrl"), { max: 1 });
  const made: number[] = [];
  const large = (n: number) => n >= 64 * 1024 && made.push(n);
  const allocUnsafe = Buffer.allocUnsafe.bind(Buffer);
  const from = Buffer.from.bind(Buffer) as (...a: unknown[]) => Buffer;
  const concat = Buffer.concat.bind(Buffer);
  try {
    // Several columns, each larger than the last, as a batch's are, and small values after them.
    const columns = [200_000, 400_000, 800_000, 1_600_000].map((n, i) => new TextEncoder().encode(`{${Array.from({ length: n / 8 }, (_, j) => `"${`${String.fromCharCode(97 + i)}${j % 1000}`.padEnd(5, "x")}"`).join(",")}}`));
    const carried = columns.reduce((n, c) => n + c.length, 0);
    vi.spyOn(Buffer, "allocUnsafe").mockImplementation((n) => (large(n), allocUnsafe(n)));
    // Node's concat does not make its buffer through Buffer.allocUnsafe: counted by its result.
    vi.spyOn(Buffer, "concat").mockImplementation((list, n) => {
      const joined = concat(list, n);
      large(joined.length);
      return joined;
    });
    vi.spyOn(Buffer, "from").mockImplementation(((...a: unknown[]) => (a[0] instanceof Uint8Array && large(a[0].length), from(...a))) as typeof Buffer.from);
    // The first run is described, then bound; the second is bound to the prepared statement.
    for (const run of [1, 2]) {
      made.length = 0;
      const [row] = await sql<{ sizes: number[]; tail: string }[]>`
        SELECT ARRAY[cardinality(${sql.typed(columns[0]!, 0)}::text[]), cardinality(${sql.typed(columns[1]!, 0)}::text[]),
                     cardinality(${sql.typed(columns[2]!, 0)}::text[]), cardinality(${sql.typed(columns[3]!, 0)}::text[])] AS sizes,
               ${"after them"}::text || ${run}::int AS tail`;
      expect(row).toEqual({ sizes: [25_000, 50_000, 100_000, 200_000], tail: `after them${run}` });
      const total = made.reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThanOrEqual(carried);
      expect(total).toBeLessThan(carried * 1.1);
    }
  } finally {
    vi.restoreAllMocks();
    await sql.end();
  }
});

// A backend's first statements over partitioned tables under row-level security load their
// catalog entries: the first /status on a connection took 16-26 ms against 3-7 after (#15).
// postgres.js handed each query the idle connection idle longest, so a pool grown by a
// burst kept serving sequential reads from cold backends, one after another. The connection
// used last goes first now (scripts/patch-postgres-js.cjs), as PgBouncer reuses its servers.
it("hands a query the connection used last, so a pool grown by a burst serves calm reads from warm backends", async () => {
  const { sql } = createDb(inject("databaseUrl"), { max: 4 });
  /** The backend that answers on `on` (the pool, a transaction or a reserved connection). */
  const backend = async (on: typeof sql = sql, pause = 0) => (await on<{ pid: number }[]>`SELECT pg_backend_pid() AS pid, pg_sleep(${pause})`)[0]!.pid;
  try {
    // A burst opens all four.
    const opened = await Promise.all(Array.from({ length: 4 }, () => backend(sql, 0.05)));
    expect(new Set(opened).size).toBe(4);
    const last = await backend();
    const sequential = [];
    for (let i = 0; i < 6; i++) sequential.push(await backend());
    expect(sequential).toEqual(Array(6).fill(last));
    // A transaction and a reserved connection start from it too.
    expect(await sql.begin((tx) => backend(tx as unknown as typeof sql))).toBe(last);
    const reserved = await sql.reserve();
    try {
      expect(await backend(reserved)).toBe(last);
    } finally {
      reserved.release();
    }
  } finally {
    await sql.end();
  }
});
