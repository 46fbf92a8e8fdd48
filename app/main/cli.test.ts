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
  it("sets up a team, a viewer in it and a key that the API then accepts", { timeout: 90_000 }, async () => {
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

  it("explains itself on a bad command and exits 2, in a few lines", { timeout: 90_000 }, () => {
    const r = cli("keys", "create", "no-scope");
    expect(r.status).toBe(2);
    expect(r.err).toContain("--user <user> for a user key, or --service <service>");
    expect(r.err.split("\n").length).toBeLessThan(6); // the command's usage, not the whole help
    const unknown = cli("keys", "rotate");
    expect(unknown.status).toBe(2);
    expect(unknown.err).toContain("keys create, keys list, keys revoke, keys generate");
    expect(cli("users", "create", "x", "--role", "root").err).toContain("--role must be one of viewer, operator, admin");
    expect(cli("keys", "generate").out.trim()).toMatch(/^fsk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
  });

  it("--help, help and help <command> print usage and exit 0", { timeout: 90_000 }, () => {
    for (const args of [[], ["--help"], ["help"]]) {
      const r = cli(...args);
      expect(r.status, args.join(" ")).toBe(0);
      expect(r.out).toContain("teams list");
      expect(r.out).toContain("Exit codes");
    }
    const one = cli("help", "grants", "create");
    expect(one.status).toBe(0);
    expect(one.out).toContain("usage: npm run failsight -- grants create <service> (--team <team> | --user <user>)");
    expect(cli("keys", "list", "--help").out).toContain("usage: npm run failsight -- keys list");
  });

  it("lists every kind of object, as JSON when piped", async () => {
    const team = unique("cli-list-team");
    const user = unique("cli-list-user");
    const service = unique("cli-list-svc");
    expect(cli("teams", "create", team).status).toBe(0);
    expect(cli("users", "create", user, "--team", team).status).toBe(0);
    expect((await h.postJson("/v1/logs", [{ service }])).status).toBe(200);
    expect(cli("grants", "create", service, "--team", team).status).toBe(0);
    const list = (noun: string) => {
      const r = cli(noun, "list");
      expect(r.status, noun).toBe(0);
      return JSON.parse(r.out) as Record<string, unknown>[];
    };
    expect(list("teams")).toContainEqual({ name: team, members: [user] });
    expect(list("users")).toContainEqual(expect.objectContaining({ name: user, role: "viewer", teams: [team] }));
    expect(list("grants")).toContainEqual(expect.objectContaining({ service, team, access: "read" }));
    expect(list("services").map((s) => s.name)).toContain(service);
    expect(Array.isArray(list("keys"))).toBe(true);
    expect(Array.isArray(list("readers"))).toBe(true);
    const refused = cli("teams", "create", team);
    expect([refused.status, refused.err.trim()]).toEqual([1, `failsight teams create: a team named ${team} exists`]);
  }, 120_000); // ten CLI processes, each a Node start

  it("says in one line that the database is away, and exits 3", () => {
    const r = spawnSync(process.execPath, [fileURLToPath(new URL("./cli.ts", import.meta.url)), "users", "list"], {
      env: { PATH: process.env.PATH, DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" },
      encoding: "utf8",
    });
    expect(r.status).toBe(3);
    expect(r.stderr.trim()).toBe("failsight: cannot reach 127.0.0.1:1 (ECONNREFUSED)");
  });
});
