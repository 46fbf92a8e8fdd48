import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { testHarness, unique } from "../test-support/harness.ts";

const h = testHarness({ auth: "on" });
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [fileURLToPath(new URL("./cli.ts", import.meta.url)), ...args], { env: { PATH: process.env.PATH, DATABASE_URL: inject("databaseUrl") }, encoding: "utf8" });
  return { status: r.status, out: r.stdout, err: r.stderr };
};

describe("the failsight CLI", () => {
  it("sets up a team, a viewer in it and a key that the API then accepts", async () => {
    const team = unique("cli-team");
    const user = unique("cli-user");
    expect(cli("teams", "create", team).status).toBe(0);
    expect(cli("users", "create", user, "--role", "viewer", "--team", team).status).toBe(0);
    const created = cli("keys", "create", "laptop", "--user", user);
    expect(created.status).toBe(0);
    expect(created.err).toContain("shown this once");
    const { key, prefix } = JSON.parse(created.out) as { key: string; prefix: string };
    expect((await h.request("/services", { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    expect(cli("keys", "revoke", prefix).status).toBe(0);
    expect((await h.request("/services", { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
  });

  it("explains itself on a bad command and exits 2", () => {
    const r = cli("keys", "create", "no-scope");
    expect(r.status).toBe(2);
    expect(r.err).toContain("--user or --service");
    expect(cli("keys", "generate").out.trim()).toMatch(/^fsk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
  });
});
