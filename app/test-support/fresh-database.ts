import { randomUUID } from "node:crypto";
import { afterAll, inject, onTestFinished } from "vitest";
import postgres from "postgres";

/**
 * A database of the test's own, copied from the run's migrated template (the real schema:
 * foreign keys, forced row-level security, the same role), for tests that change what every
 * other test relies on: partition maintenance on log_events itself, revoking every admin
 * key, stopping the server. Dropped when the file (or, called inside a test, the test) ends.
 */
export async function freshDatabase(lifetime: "file" | "test" = "file"): Promise<string> {
  const shared = inject("databaseUrl");
  const name = `${inject("templateDatabase").replace(/_template$/, "")}_${randomUUID().slice(0, 8)}`;
  const admin = postgres(shared, { max: 1, onnotice: () => {} });
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE "${inject("templateDatabase")}"`);
        break;
      } catch (error) {
        // 55006: another test is copying the template at this moment.
        if ((error as { code?: string }).code !== "55006" || attempt === 20) throw error;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  } finally {
    await admin.end();
  }
  const drop = async () => {
    const dropper = postgres(shared, { max: 1, onnotice: () => {} });
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await dropper.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
          return;
        } catch (error) {
          // 42501: an autovacuum worker (the superuser's, which this role may not end) is
          // busy in the copy after a test's inserts; it finishes in moments.
          if ((error as { code?: string }).code !== "42501" || attempt === 40) throw error;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    } finally {
      await dropper.end();
    }
  };
  if (lifetime === "file") afterAll(drop);
  else onTestFinished(drop);
  const url = new URL(shared);
  url.pathname = `/${name}`;
  return url.toString();
}
