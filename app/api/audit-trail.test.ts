import { beforeAll, describe, expect, it } from "vitest";
import { testHarness, unique, type Caller } from "../test-support/harness.ts";

// Who did what, when, and with what outcome: every change, read and refusal is in
// /admin/audit, and the trail cannot be changed through the API's role.
const h = testHarness();
type Entry = { id: number; user: string | null; key_prefix: string | null; role: string; method: string; path: string; route: string | null; status: number | null; row_count: number };
const audit = async (query: string) => {
  const res = await h.get(`/admin/audit?limit=1000&${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Entry[] }).items;
};

let viewer: Caller;
const team = unique("team-audited");
const service = unique("svc-audited");
const user = unique("user-audited");
let prefix = "";

beforeAll(async () => {
  viewer = await h.caller({ role: "viewer", teams: [team] });
  expect((await h.postJson("/admin/teams", { name: unique("team-made") })).status).toBe(201);
  expect((await h.postJson("/admin/users", { name: user, role: "viewer" })).status).toBe(201);
  const key = await h.postJson("/admin/keys", { name: "audited", user });
  prefix = ((await key.json()) as { prefix: string }).prefix;
  expect((await h.postJson(`/admin/keys/${prefix}/revoke`, {})).status).toBe(200);
  expect((await h.postJson("/services", { name: service, owner_team: team })).status).toBe(201);
  expect((await h.patchJson(`/services/${service}`, { tier: 2 })).status).toBe(200);
  expect((await h.postJson("/admin/grants", { service, user, access: "read" })).status).toBe(201);
  expect((await viewer.get("/status?window=1h")).status).toBe(200);
  expect((await viewer.get(`/logs?service=${service}`)).status).toBe(200);
  expect((await viewer.postJson("/admin/keys", { name: "sneaky", user: viewer.user })).status).toBe(403);
  expect((await h.app.request("/services", { headers: { authorization: `Bearer fsk_zzzzzzzz_${"x".repeat(43)}` } })).status).toBe(401);
});

describe("the audit trail", () => {
  it("records every admin change, service change and key revocation, with who and the outcome", async () => {
    const mine = await audit(`user=${encodeURIComponent(h.admin.user!)}`);
    const seen = mine.map((e) => `${e.method} ${e.route} ${e.status}`);
    for (const expected of [
      "POST /admin/teams 201",
      "POST /admin/users 201",
      "POST /admin/keys 201",
      "POST /admin/keys/:prefix/revoke 200",
      "POST /services 201",
      "PATCH /services/:name 200",
      "POST /admin/grants 201",
    ]) expect(seen).toContain(expected);
    expect(mine.find((e) => e.route === "/admin/keys/:prefix/revoke")!.path).toBe(`/admin/keys/${prefix}/revoke`);
    expect(mine.every((e) => typeof e.id === "number" && e.role === "admin")).toBe(true);
  });

  it("records reads of status and logs (with the rows returned) and refusals, filterable by status", async () => {
    const reads = await audit(`user=${encodeURIComponent(viewer.user!)}`);
    expect(reads.map((e) => `${e.method} ${e.route} ${e.status}`)).toEqual(expect.arrayContaining(["GET /status 200", "GET /logs 200", "POST /admin/keys 403"]));
    const refused = await audit("status=4xx");
    expect(refused.some((e) => e.role === "viewer" && e.status === 403 && e.path === "/admin/keys")).toBe(true);
    expect(refused.some((e) => e.role === "anonymous" && e.status === 401 && e.key_prefix === "zzzzzzzz")).toBe(true);
    expect(refused.every((e) => e.status! >= 400 && e.status! < 500)).toBe(true);
  });

  it("is readable by admins only", async () => {
    expect((await viewer.get("/admin/audit")).status).toBe(403);
  });
});
