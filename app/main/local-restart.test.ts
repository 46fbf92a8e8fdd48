import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { freePort } from "../test-support/free-port.ts";

// `npm start` killed with SIGKILL leaves its embedded postmaster running; the next start
// must recognise it as its own, stop it, and come up.
const dataRoot = mkdtempSync(path.join(tmpdir(), "failsight-local-"));
chmodSync(dataRoot, 0o755); // PostgreSQL runs as another user when the tests run as root
const dataDir = path.join(dataRoot, "pgdata");
const pgPort = await freePort();
const children: ReturnType<typeof spawn>[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 1_500));
  rmSync(dataRoot, { recursive: true, force: true });
});

async function start() {
  const port = await freePort();
  const child = spawn(process.execPath, [fileURLToPath(new URL("./local.ts", import.meta.url))], {
    env: { PATH: process.env.PATH, PORT: String(port), HOST: "127.0.0.1", FAILSIGHT_DATA_DIR: dataDir, FAILSIGHT_EMBEDDED_PG_PORT: String(pgPort), LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/ready`)).ok) return { child, output: () => output };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`npm start did not become ready:\n${output}`);
}

it("starts again after being killed with SIGKILL, stopping the postmaster it left behind", async () => {
  const first = await start();
  first.child.kill("SIGKILL");
  await new Promise((r) => first.child.once("exit", r));
  // The orphan is still there, holding the data folder.
  const orphan = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  expect(() => process.kill(orphan, 0)).not.toThrow();

  const second = await start();
  expect(second.output()).not.toMatch(/lock file/);
  expect(() => process.kill(orphan, 0)).toThrow();
}, 90_000);

it("stops cleanly, embedded PostgreSQL included, when its terminal closes (SIGHUP)", async () => {
  const run = await start();
  const postmaster = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  const exited = new Promise<number | null>((r) => run.child.once("exit", (code) => r(code)));
  run.child.kill("SIGHUP");
  expect(await exited).toBe(0);
  expect(() => process.kill(postmaster, 0)).toThrow();
}, 90_000);

