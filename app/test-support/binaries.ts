import { execFileSync } from "node:child_process";

/** Whether a command is on PATH and answers --version: tests that need it skip by name otherwise. */
export function hasBinary(name: string): boolean {
  try {
    execFileSync(name, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
