import { describe, expect, it } from "vitest";
import { testHarness, unique } from "../../../test-support/harness.ts";

const h = testHarness();

describe("services", () => {
  it("creates, reads, lists and refuses a duplicate with 409", async () => {
    const name = unique("svc");
    await h.sql`INSERT INTO teams (name) VALUES ('payments') ON CONFLICT DO NOTHING`;
    const created = await h.postJson("/services", { name, type: "http", owner_team: "payments", tier: 1 });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`/services/${name}`);
    expect(await created.json()).toMatchObject({ name, type: "http", owner_team: "payments", tier: 1, thresholds: {} });
    expect((await h.postJson("/services", { name })).status).toBe(409);
    expect(await (await h.get(`/services/${name}`)).json()).toMatchObject({ name, owner_team: "payments" });
    const list = (await (await h.get("/services")).json()) as { items: { name: string }[] };
    expect(list.items.map((s) => s.name)).toContain(name);
  });

  it("merges threshold overrides and removes one given null", async () => {
    const name = unique("svc");
    await h.postJson("/services", { name, thresholds: { error_rate_degraded: 0.1, p95_latency_ms_degraded: 250 } });
    const patched = await h.patchJson(`/services/${name}`, { tier: 2, thresholds: { p95_latency_ms_degraded: null, error_rate_down: 0.3 } });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ tier: 2, thresholds: { error_rate_degraded: 0.1, error_rate_down: 0.3 } });
    const status = (await (await h.get(`/status/${name}`)).json()) as { thresholds: Record<string, unknown> };
    expect(status.thresholds).toEqual({ error_rate_degraded: 0.1, error_rate_down: 0.3, p95_latency_ms_degraded: 1000, silence_seconds_down: null, slo_target: 0.999 });
  });

  it.each([
    ["an unknown field", { name: "x-1", colour: "red" }, "colour"],
    ["a bad tier", { name: "x-2", tier: 9 }, "tier"],
    ["a threshold out of range", { name: "x-3", thresholds: { error_rate_down: 2 } }, "thresholds.error_rate_down"],
    ["a name with spaces", { name: "my service" }, "name"],
  ])("refuses %s with 400 naming the field", async (_n, body, field) => {
    const res = await h.postJson("/services", body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
  });

  it("answers 404 for an unknown service and 400 for an empty or malformed patch", async () => {
    expect((await h.get(`/services/${unique("none")}`)).status).toBe(404);
    expect((await h.patchJson(`/services/${unique("none")}`, { tier: 1 })).status).toBe(404);
    const name = unique("svc");
    await h.postJson("/services", { name });
    expect((await h.patchJson(`/services/${name}`, {})).status).toBe(400);
    const malformed = await h.request(`/services/${name}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: "{" });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("content-type")).toContain("problem+json");
  });

  it("refuses an owner_team that names no team, creating or changing, with a 400 naming the field", async () => {
    const name = unique("svc");
    const refused = await h.postJson("/services", { name, owner_team: unique("no-such-team") });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe("owner_team");
    const created = await h.postJson("/services", { name });
    expect(created.status).toBe(201);
    const patched = await h.patchJson(`/services/${name}`, { owner_team: unique("no-such-team") });
    expect(patched.status).toBe(400);
    expect(((await patched.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe("owner_team");
  });

  it("never tells an operator that another team's service exists: 409 only for a service it may see", async () => {
    const mine = unique("team-mine");
    const theirs = unique("team-theirs");
    await h.sql`INSERT INTO teams (name) VALUES (${mine}), (${theirs})`;
    const hidden = unique("svc-theirs");
    const seen = unique("svc-mine");
    await h.sql`INSERT INTO services (name, owner_team) VALUES (${hidden}, ${theirs}), (${seen}, ${mine})`;
    const operator = await h.caller({ role: "operator", teams: [mine] });
    const taken = await operator.postJson("/services", { name: hidden });
    expect(taken.status).toBe(403);
    expect(await taken.text()).not.toMatch(/exist/);
    expect((await operator.get(`/services/${hidden}`)).status).toBe(404);
    expect((await operator.postJson("/services", { name: seen })).status).toBe(409);
  });
});
