import { beforeAll, describe, expect, it } from "vitest";
import { freshDatabase } from "../test-support/fresh-database.ts";
import { testHarness, unique } from "../test-support/harness.ts";

// A read and its audit entry share a transaction whose COMMIT is sent without waiting for
// the entry (recorded-read.ts; GET /logs writes the entry in its own statement and sends
// BEGIN to COMMIT in one write). PostgreSQL answers a COMMIT after a failed statement with
// a rollback, not an error: the read must still fail, and the connection be fit for the
// next request. The failure is a real one, a trigger on this file's own database that
// refuses the entries of reads naming `refused`.
const h = testHarness({ databaseUrl: await freshDatabase() });
const refused = unique("refused");
const recorded = unique("recorded");

beforeAll(async () => {
  expect((await h.postJson("/v1/logs", [{ service: refused, message: "there" }])).status).toBe(200);
  const events = ["first", "second", "third"].map((message, i) => ({ service: recorded, message, timestamp: new Date(Date.now() - (3 - i) * 1000).toISOString() }));
  expect((await h.postJson("/v1/logs", events)).status).toBe(200);
  await h.sql.unsafe(`
    CREATE FUNCTION refuse_log_reads() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.filters::text LIKE '%${refused}%' THEN RAISE EXCEPTION 'this test refuses audit entries of reads of ${refused}'; END IF; RETURN NEW; END $$;
    CREATE TRIGGER refuse_log_reads BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_log_reads()`);
});

type Entry = { route: string; row_count: number; filters: Record<string, unknown> };
const lastEntry = async (route: string) => (await h.sql<Entry[]>`SELECT route, row_count, filters FROM audit_log WHERE route = ${route} ORDER BY id DESC LIMIT 1`)[0]!;

describe("a read whose audit entry cannot be written", () => {
  it("answers an error with no rows, on /logs and on Loki's query_range, and the next request is served", async () => {
    const res = await h.get(`/logs?service=${refused}`);
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toMatch(/problem\+json/);
    expect(await res.text()).not.toContain("there");
    const now = Date.now();
    const loki = await h.get(`/loki/api/v1/query_range?${new URLSearchParams({ query: `{service="${refused}"}`, start: `${now - 3_600_000}000000`, end: `${now}000000` })}`);
    expect(loki.status).toBe(500);
    expect(await loki.text()).not.toContain("there");
    const status = await h.get("/status?window=1h");
    expect(status.status).toBe(200);
    expect(((await status.json()) as { services: { service: string }[] }).services.map((s) => s.service)).toContain(refused);
  });
});

describe("a read that can be recorded", () => {
  it("records the events a page shows, not the one past its limit, and leaves the cursor out of the filters", async () => {
    const first = await h.get(`/logs?service=${recorded}&limit=2`);
    const page = (await first.json()) as { items: { message: string }[]; next_cursor: string | null };
    expect(page.items.map((i) => i.message)).toEqual(["third", "second"]);
    expect(await lastEntry("/logs")).toMatchObject({ row_count: 2, filters: { service: [recorded], limit: 2 } });
    const second = (await (await h.get(`/logs?service=${recorded}&limit=2&cursor=${encodeURIComponent(page.next_cursor!)}`)).json()) as { items: { message: string }[] };
    expect(second.items.map((i) => i.message)).toEqual(["first"]);
    const entry = await lastEntry("/logs");
    expect(entry.row_count).toBe(1);
    expect(entry.filters).not.toHaveProperty("cursor");
  });

  it("records a page of services the caller cannot see, or that do not exist, with no rows", async () => {
    const res = await h.get(`/logs?service=${unique("nowhere")}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: unknown[] }).items).toEqual([]);
    expect((await lastEntry("/logs")).row_count).toBe(0);
  });

  it("records other reads with their row count", async () => {
    await h.get("/status?window=1h");
    expect((await lastEntry("/status")).row_count).toBeGreaterThan(0);
  });
});
