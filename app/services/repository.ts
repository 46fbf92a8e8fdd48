import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { services, teams, type ServiceThresholds } from "../db/schema.ts";

export type ServiceRecord = typeof services.$inferSelect;
export type ServiceChanges = {
  type?: string;
  ownerTeam?: string | null;
  tier?: number | null;
  /** Keys given null lose their override. */
  thresholds?: { [K in keyof ServiceThresholds]?: ServiceThresholds[K] | null };
};

export function listServices(db: Db): Promise<ServiceRecord[]> {
  return db.select().from(services).orderBy(asc(services.name));
}

export async function getService(db: Db, name: string): Promise<ServiceRecord | undefined> {
  const [row] = await db.select().from(services).where(eq(services.name, name));
  return row;
}

/** Undefined when the name is taken. */
export async function createService(db: Db, name: string, changes: ServiceChanges): Promise<ServiceRecord | undefined> {
  const [row] = await db
    .insert(services)
    .values({
      name,
      ...(changes.type !== undefined ? { type: changes.type } : {}),
      // Unnamed, an operator's service belongs to its team (admins' to nobody): migrations/0004.
      ownerTeam: changes.ownerTeam === undefined ? sql`failsight_new_service_owner()` : changes.ownerTeam,
      tier: changes.tier ?? null,
      thresholds: withoutNulls(changes.thresholds ?? {}),
    })
    .onConflictDoNothing({ target: services.name })
    .returning();
  return row;
}

export async function updateService(db: Db, name: string, changes: ServiceChanges): Promise<ServiceRecord | undefined> {
  const [row] = await db
    .update(services)
    .set({
      ...(changes.type !== undefined ? { type: changes.type } : {}),
      ...(changes.ownerTeam !== undefined ? { ownerTeam: changes.ownerTeam } : {}),
      ...(changes.tier !== undefined ? { tier: changes.tier } : {}),
      // Merged in SQL, so two concurrent PATCHes of different thresholds both hold; a key
      // given null is set to null by the merge and then stripped, so its default applies.
      ...(changes.thresholds ? { thresholds: sql`jsonb_strip_nulls(${services.thresholds} || ${JSON.stringify(changes.thresholds)}::jsonb)` } : {}),
      updatedAt: sql`now()`,
    })
    .where(eq(services.name, name))
    .returning();
  return row;
}

function withoutNulls(t: NonNullable<ServiceChanges["thresholds"]>): ServiceThresholds {
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== null && v !== undefined)) as ServiceThresholds;
}

/** Whether a team of that name exists (services.owner_team must name one). */
export async function teamExists(db: Db, name: string): Promise<boolean> {
  const [row] = await db.select({ id: teams.id }).from(teams).where(eq(teams.name, name));
  return row !== undefined;
}
