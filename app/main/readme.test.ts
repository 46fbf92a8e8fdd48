import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../test-support/free-port.ts";
import { codeBlocks, type CodeBlock } from "../test-support/readme-blocks.ts";
import { tempFolder } from "../test-support/temp-folder.ts";

// The README's shell examples, run in order as a reader pastes them into a second terminal
// while `npm start` runs in the first: one shell session (what one block exports, the next
// sees), in the repository, against a fresh embedded database. Two things differ from a
// reader's machine, both so the run cannot collide with anything already running here: the
// API's port (`localhost:3000` in a block is rewritten to the test's port) and the data
// folder and database port (set in the environment, which the CLI reads as npm start does).
//
// A block fails when it exits non-zero (each runs with `set -e`; an unclosed quote is a
// syntax error), or when the API answers any of its requests with a problem or a Loki error (an example
// that shows an error says so with the tag `problem`). Blocks tagged below are not run.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const README = path.join(ROOT, "README.md");

/** Tags that keep a block out of the run, and why; any other tag is a mistake. */
const NOT_RUN: Record<string, string> = {
  cluster: "needs a kind cluster",
  "needs-psql": "needs psql and a PostgreSQL superuser of your own",
  nats: "needs the nats CLI and NATS_URL set",
  env: "environment settings for a shipper, not a command",
};
/** The block that starts Failsight; the test starts it itself (npm ci has run already). */
const SERVER = "server";
const PROBLEM = "problem";
const KNOWN_TAGS = new Set([...Object.keys(NOT_RUN), SERVER, PROBLEM]);

const blocks = codeBlocks(readFileSync(README, "utf8")).filter((b) => b.lang === "sh");
const nameOf = (b: CodeBlock) => `README line ${b.line} (${b.section})`;

// The run is the same on every database (it starts its own embedded one), so it runs once,
// in the embedded suite; CI's DATABASE_URL suite skips it.
const suite = process.env.DATABASE_URL ? describe.skip : describe.sequential;

it("tags every shell block with known tags only, and has exactly one server block", () => {
  for (const b of blocks) for (const tag of b.tags) expect(KNOWN_TAGS.has(tag), `${nameOf(b)}: unknown tag ${tag}`).toBe(true);
  const servers = blocks.filter((b) => b.tags.includes(SERVER));
  expect(servers.map((b) => b.code.trim())).toEqual(["npm ci && npm start"]);
  expect(blocks.filter((b) => !b.tags.some((t) => t in NOT_RUN) && !b.tags.includes(SERVER)).length).toBeGreaterThan(8);
});

suite(`README examples against a fresh npm start${process.env.DATABASE_URL ? " (skipped: run by the embedded suite)" : ""}`, () => {
  const folder = tempFolder("failsight-readme");
  const state = path.join(folder.path, "shell-state.sh");
  let server: ChildProcess | undefined;
  let serverOutput = "";
  let env: NodeJS.ProcessEnv;
  let apiPort = 0;

  beforeAll(async () => {
    apiPort = await freePort();
    const { DATABASE_URL: _db, OWNER_DATABASE_URL: _owner, FAILSIGHT_ADMIN_KEY: _key, ...inherited } = process.env;
    env = { ...inherited, PORT: String(apiPort), FAILSIGHT_DATA_DIR: path.join(folder.path, "pgdata"), FAILSIGHT_EMBEDDED_PG_PORT: String(await freePort()), LOG_FORMAT: "json" };
    writeFileSync(state, "");
    server = spawn("npm", ["start"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    server.stdout!.on("data", (d) => (serverOutput += d));
    server.stderr!.on("data", (d) => (serverOutput += d));
    for (let i = 0; i < 600; i++) {
      if (server.exitCode !== null) throw new Error(`npm start exited ${server.exitCode}:\n${serverOutput}`);
      try {
        if ((await fetch(`http://127.0.0.1:${apiPort}/ready`)).ok) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`npm start did not become ready:\n${serverOutput}`);
  }, 90_000);

  const stopServer = async () => {
    if (server?.pid && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server!.once("exit", r));
      try {
        process.kill(-server.pid, "SIGTERM");
      } catch {
        return; // the group is gone already
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    }
  };
  afterAll(async () => {
    await stopServer();
    folder.remove();
  }, 30_000);

  for (const block of blocks) {
    const skip = block.tags.find((t) => t in NOT_RUN);
    if (skip) {
      it.skip(`${nameOf(block)}: ${NOT_RUN[skip]}`, () => {});
      continue;
    }
    if (block.tags.includes(SERVER)) {
      it(`${nameOf(block)}: npm start serves the API and prints the first admin key once`, () => {
        expect(serverOutput).toContain("created the first admin API key");
      });
      continue;
    }
    it(`${nameOf(block)} runs as written`, { timeout: 150_000 }, () => {
      const code = block.code.replaceAll("localhost:3000", `localhost:${apiPort}`);
      const script = `set -e\nsource ${JSON.stringify(state)}\n${code}\nexport -p > ${JSON.stringify(state)}\n`;
      const run = spawnSync("bash", ["-c", script], { cwd: ROOT, env, encoding: "utf8", timeout: 120_000 });
      const output = `${run.stdout}\n${run.stderr}`;
      expect(run.status, `exit ${run.status} of:\n${block.code}\n---\n${output}`).toBe(0);
      if (!block.tags.includes(PROBLEM)) {
        expect(output, `an error answer in:\n${output}`).not.toContain("urn:failsight:problem:");
        expect(output, `a Loki API error in:\n${output}`).not.toMatch(/"status":\s*"error"/);
      }
    });
  }

  it("the CLI works on npm start's database after npm start has stopped, starting it for the command", async () => {
    await stopServer();
    const run = spawnSync("npm", ["run", "-s", "failsight", "--", "users", "list"], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { name: string }[]).map((u) => u.name)).toEqual(expect.arrayContaining(["admin", "alice"]));
  }, 70_000);
});
