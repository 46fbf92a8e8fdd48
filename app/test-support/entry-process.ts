import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";

/**
 * A real entry point (`app/main/<name>.ts`) as a process of its own, the way a container or
 * `npm start` runs it, with only PATH and `env` in its environment. Call it inside a test:
 * a process still running when the test ends is killed.
 */
export function runEntry(name: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [fileURLToPath(new URL(`../main/${name}.ts`, import.meta.url))], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}
