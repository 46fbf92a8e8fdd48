import { expect, inject, it } from "vitest";
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
