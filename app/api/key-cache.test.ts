import { describe, expect, it } from "vitest";
import { testHarness, unique } from "../test-support/harness.ts";

// The API keeps keys it has verified for a minute; each transaction made for a key checks
// it still holds. These change a key behind the API's back (as the CLI, another replica or
// an operator with psql would) right after a request that cached it.
const h = testHarness();
const keyPrefix = (key: string) => key.split("_")[1]!;

describe("cached API keys", () => {
  it("a revoked user key is refused on the very next request, on every kind of route", async () => {
    const admin = await h.caller({ role: "admin" });
    for (const path of ["/logs", "/status", "/services", "/metrics"]) expect((await admin.get(path)).status, path).toBe(200);
    await h.sql`UPDATE api_keys SET revoked_at = now() WHERE prefix = ${keyPrefix(admin.key!)}`;
    const [{ last }] = (await h.sql`SELECT coalesce(max(id), 0)::float8 AS last FROM audit_log`) as unknown as [{ last: number }];
    // /metrics first: it opens no transaction, so it must check the key itself, and a
    // refusal elsewhere would drop the key from the cache before it is asked.
    for (const path of ["/metrics", "/logs", "/status", "/services", "/admin/keys"]) {
      const res = await admin.get(path);
      expect(res.status, path).toBe(401);
      expect(((await res.json()) as { detail: string }).detail, path).toMatch(/revoked/);
    }
    // GET /logs sends its read, its entry and COMMIT together: the refused key must undo both.
    const entries = await h.sql`SELECT path, status FROM audit_log WHERE id > ${last} AND key_prefix = ${keyPrefix(admin.key!)} ORDER BY id`;
    expect(entries.filter((e) => e.status !== 401)).toEqual([]);
  });

  it("a revoked ingest key stores nothing more", async () => {
    const service = unique("cached-ingest");
    const ingest = await h.caller({ ingest: [service] });
    expect((await ingest.postJson("/v1/logs", [{ service, message: "before" }])).status).toBe(200);
    await h.sql`UPDATE api_keys SET revoked_at = now() WHERE prefix = ${keyPrefix(ingest.key!)}`;
    expect((await ingest.postJson("/v1/logs", [{ service, message: "after" }])).status).toBe(401);
    const stored = await h.sql`SELECT message FROM log_events e JOIN services s ON s.id = e.service_id WHERE s.name = ${service}`;
    expect(stored.map((r) => r.message)).toEqual(["before"]);
  });

  it("an expired key, or a user whose role changed, is refused at once and read afresh after", async () => {
    const expiring = await h.caller({ role: "viewer" });
    expect((await expiring.get("/logs")).status).toBe(200);
    await h.sql`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE prefix = ${keyPrefix(expiring.key!)}`;
    expect((await expiring.get("/logs")).status).toBe(401);

    const demoted = await h.caller({ role: "admin" });
    expect((await demoted.get("/admin/keys")).status).toBe(200);
    await h.sql`UPDATE users SET role = 'viewer' WHERE name = ${demoted.user!}`;
    expect((await demoted.get("/admin/keys")).status).toBe(401);
    // Read afresh: now a viewer's key, which the admin routes refuse and /logs admits.
    expect((await demoted.get("/admin/keys")).status).toBe(403);
    expect((await demoted.get("/logs")).status).toBe(200);
  });
});
