import { ADVISORY_LOCKS } from "./advisory-locks.ts";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import type { Sql } from "./client.ts";

const migrationsFolder = fileURLToPath(new URL("../../migrations", import.meta.url));

/**
 * Applies pending migrations. Several API replicas may start at once; the advisory lock
 * makes them take turns, and drizzle's journal makes the late ones find nothing to do.
 */
export async function runMigrations(sql: Sql): Promise<void> {
  const lock = await sql.reserve();
  try {
    await lock`SELECT pg_advisory_lock(${ADVISORY_LOCKS.migrations})`;
    await migrate(drizzle(sql), { migrationsFolder });
  } finally {
    await lock`SELECT pg_advisory_unlock(${ADVISORY_LOCKS.migrations})`.catch(() => {});
    lock.release();
  }
}

const shippedCount = new Map<string, number>();

/**
 * The number of migrations in the folder that the database has not applied yet. The
 * folder is read once per process: it ships with the image and does not change.
 */
export async function pendingMigrations(sql: Sql, folder = migrationsFolder): Promise<number> {
  if (!shippedCount.has(folder)) {
    const { readMigrationFiles } = await import("drizzle-orm/migrator");
    shippedCount.set(folder, readMigrationFiles({ migrationsFolder: folder }).length);
  }
  // Only a missing journal means "nothing applied"; an unreachable database is an error.
  const [row] = await sql<{ applied: number }[]>`
    SELECT count(*)::int AS applied FROM drizzle.__drizzle_migrations`.catch((error: { code?: string }) => {
    if (error.code === "42P01" || error.code === "3F000") return [{ applied: 0 }];
    throw error;
  });
  return Math.max(0, shippedCount.get(folder)! - (row?.applied ?? 0));
}
