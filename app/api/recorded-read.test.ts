import { beforeAll, describe, expect, it } from "vitest";
import { freshDatabase } from "../test-support/fresh-database.ts";
import { testHarness, unique } from "../test-support/harness.ts";

// A read and its audit entry share a transaction whose INSERT is not waited for before the
// COMMIT (recorded-read.ts). PostgreSQL answers a COMMIT after a failed statement with a
// rollback, not an error: the read must still fail, and the connection be fit for the next
// request. The failure is a real one, a trigger on this file's own database.
const h = testHarness({ databaseUrl: await freshDatabase() });
const service = unique("recorded");

beforeAll(async () => {
  expect((await h.postJson("/v1/logs", [{ service, message: "there" }])).status).toBe(200);
  await h.sql.unsafe(`
    CREATE FUNCTION refuse_log_reads() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.path = '/logs' THEN RAISE EXCEPTION 'this test refuses audit entries of /logs'; END IF; RETURN NEW; END $$;
    CREATE TRIGGER refuse_log_reads BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_log_reads()`);
});

describe("a read whose audit entry cannot be written", () => {
  it("answers an error with no rows, and the next request is served", async () => {
    const res = await h.get(`/logs?service=${service}`);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(res.headers.get("content-type")).toMatch(/problem\+json/);
    expect(body).not.toContain("there");
    const status = await h.get("/status?window=1h");
    expect(status.status).toBe(200);
    expect(((await status.json()) as { services: { service: string }[] }).services.map((s) => s.service)).toContain(service);
  });

  it("records a read that can be recorded, with its row count", async () => {
    await h.get("/status?window=1h");
    const [entry] = await h.sql<{ row_count: number }[]>`SELECT row_count FROM audit_log WHERE path = '/status' ORDER BY id DESC LIMIT 1`;
    expect(entry!.row_count).toBeGreaterThan(0);
  });
});
