import postgres from "postgres";
import { log } from "../log.ts";
import { isDatabaseUnavailable } from "./client.ts";

/**
 * Why a first connection may fail only because the database is still coming up: on a
 * first `helm install` the CloudNativePG primary, its Service, its `app` database and its
 * role's password all appear after Failsight's pods start. Anything else (a malformed URL,
 * a refused TLS setting) fails at once.
 */
const NOT_YET = new Map<string, string>([
  ["ENOTFOUND", "its host name does not resolve yet"],
  ["EAI_AGAIN", "its host name does not resolve yet"],
  ["3D000", "the database does not exist yet"],
  ["28P01", "the password is not accepted (yet)"],
  ["28000", "the role is not accepted (yet)"],
]);

function whyNotYet(error: unknown): string | undefined {
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code ?? "";
  if (NOT_YET.has(code)) return `${NOT_YET.get(code)} (${code})`;
  if (isDatabaseUnavailable(error)) return `it does not accept connections yet (${code || (error as Error).message})`;
  return undefined;
}

/** Back-off between attempts: doubling from the first to the last. */
const WAIT_RETRY_MS = { first: 500, last: 5_000 } as const;

/**
 * Waits until PostgreSQL at `url` answers a query, trying again with bounded back-off for
 * up to `timeoutMs` while `whyNotYet` says it is still coming up, and logging each wait
 * with the reason, so `kubectl logs -c migrate` says what it waits for.
 */
export async function waitForDatabase(url: string, timeoutMs: number): Promise<void> {
  const { host, port, pathname } = new URL(url);
  const where = `${host || "localhost"}${port ? "" : ":5432"}${pathname}`;
  const deadline = Date.now() + timeoutMs;
  let delay: number = WAIT_RETRY_MS.first;
  for (let attempt = 1; ; attempt++) {
    const probe = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
    try {
      await probe`SELECT 1`;
      if (attempt > 1) log.info({ database: where, attempts: attempt }, "PostgreSQL is up");
      return;
    } catch (error) {
      const reason = whyNotYet(error);
      if (!reason) throw error;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`PostgreSQL at ${where} did not come up within ${Math.round(timeoutMs / 1000)} s: ${reason}`);
      const wait = Math.min(delay, left);
      log.info({ database: where, attempt, retryInMs: wait }, `waiting for PostgreSQL at ${where}: ${reason}`);
      await new Promise((r) => setTimeout(r, wait));
      delay = Math.min(delay * 2, WAIT_RETRY_MS.last);
    } finally {
      await probe.end({ timeout: 1 }).catch(() => {});
    }
  }
}
