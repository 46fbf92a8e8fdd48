import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempFolder } from "./temp-folder.ts";

// `npm test` is what CI trusts: its exit code must be the truth on every database. Each case
// runs the real command in a child process on one fixture, on the embedded server, and on
// DATABASE_URL when this run has one (CI's system PostgreSQL suite).
const databases: [string, string][] = [["embedded PostgreSQL", ""]];
if (process.env.DATABASE_URL) databases.push(["DATABASE_URL", process.env.DATABASE_URL]);

const reports = mkdtempSync(path.join(tmpdir(), "failsight-test-command-"));
afterAll(() => rmSync(reports, { recursive: true, force: true }));

function npmTest(fixture: string, databaseUrl: string, env: Record<string, string> = {}) {
  const report = path.join(reports, `${fixture}-${databaseUrl ? "url" : "embedded"}.json`);
  const run = spawnSync("npm", ["test", "--", "--reporter=json", `--outputFile=${report}`], {
    env: { ...process.env, DATABASE_URL: databaseUrl, FAILSIGHT_TEST_FILES: `app/test-support/fixtures/${fixture}.fixture.ts`, ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  const summary = JSON.parse(readFileSync(report, "utf8")) as { numFailedTests: number; numPassedTests: number; numFailedTestSuites: number };
  return { status: run.status, summary, output: run.stdout + run.stderr };
}

describe.each(databases)("npm test on %s", (_name, databaseUrl) => {
  it("exits 0 when every test passes, and leaves nothing in the temp folder", () => {
    const tmp = tempFolder("failsight-tmpdir");
    try {
      const run = npmTest("passing", databaseUrl, { TMPDIR: tmp.path });
      expect(run.status, run.output).toBe(0);
      expect(run.summary.numPassedTests).toBe(1);
      // Node's own compile cache is shared by every Node run and kept on purpose.
      expect(readdirSync(tmp.path).filter((f) => f !== "node-compile-cache")).toEqual([]);
    } finally {
      tmp.remove();
    }
  }, 150_000);

  it("exits non-zero when a test fails", () => {
    const run = npmTest("failing-test", databaseUrl);
    expect(run.status, run.output).not.toBe(0);
    expect(run.summary.numFailedTests).toBe(1);
  }, 150_000);

  it("exits non-zero when a setup hook fails, and the report counts the failed file", () => {
    const run = npmTest("failing-hook", databaseUrl);
    expect(run.status, run.output).not.toBe(0);
    expect(run.summary.numFailedTestSuites).toBe(1);
  }, 150_000);
});
