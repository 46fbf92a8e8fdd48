import { asc, eq, getTableColumns } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { checks, services } from "../db/schema.ts";
import type { CheckSpec } from "../domain/check-spec.ts";
import type { CheckKind, CheckSource } from "../domain/vocabulary.ts";

export type CheckRecord = typeof checks.$inferSelect & { service: string };
type NewCheck = { name: string; serviceId: number; kind: CheckKind; spec: CheckSpec; intervalSeconds: number; timeoutMs: number; source?: CheckSource };

const withService = { ...getTableColumns(checks), service: services.name };

/** Undefined when the name is taken; row-level security refuses (42501) a service the caller may not change. */
export async function createCheck(db: Db, check: NewCheck): Promise<typeof checks.$inferSelect | undefined> {
  const [row] = await db.insert(checks).values(check).onConflictDoNothing({ target: checks.name }).returning();
  return row;
}

/** Checks with their service's name; row-level security shows those of services the caller may see. */
const checksWithService = (db: Db) => db.select(withService).from(checks).innerJoin(services, eq(services.id, checks.serviceId));

export function listChecks(db: Db, service?: string): Promise<CheckRecord[]> {
  return checksWithService(db)
    .where(service === undefined ? undefined : eq(services.name, service))
    .orderBy(asc(checks.name));
}

export async function getCheck(db: Db, name: string): Promise<CheckRecord | undefined> {
  const [row] = await checksWithService(db).where(eq(checks.name, name));
  return row;
}

/** False when there was none, or the caller may not change its service. */
export async function deleteCheck(db: Db, name: string): Promise<boolean> {
  return (await db.delete(checks).where(eq(checks.name, name)).returning({ id: checks.id })).length > 0;
}

