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
