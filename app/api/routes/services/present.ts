import { RequestError } from "../../../domain/request-error.ts";
import type { z } from "@hono/zod-openapi";
import type { Db, Sql } from "../../../db/client.ts";
import { setDeclaredDependencies } from "../../../status/dependencies-repository.ts";
import { resolveServices } from "../../../services/resolve.ts";
import { teamExists, type ServiceChanges, type ServiceRecord } from "../../../services/repository.ts";
import type { ServicePatch } from "./schema.ts";

export function presentService(s: ServiceRecord, dependsOn: string[]) {
  return {
    name: s.name,
    type: s.type,
    owner_team: s.ownerTeam,
    tier: s.tier,
    thresholds: s.thresholds,
    depends_on: dependsOn,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}

/** The API's snake_case fields as repository changes; absent fields stay absent. */
export function changesFrom(body: z.output<typeof ServicePatch>): ServiceChanges {
  return {
    ...(body.type !== undefined ? { type: body.type } : {}),
    ...(body.owner_team !== undefined ? { ownerTeam: body.owner_team } : {}),
    ...(body.tier !== undefined ? { tier: body.tier } : {}),
    ...(body.thresholds !== undefined ? { thresholds: body.thresholds } : {}),
  };
}

/** A 400 naming owner_team when it names no team; null and absent pass. */
export async function requireTeam(db: Db, team: string | null | undefined): Promise<void> {
  if (typeof team === "string" && !(await teamExists(db, team))) {
    throw new RequestError("validation-error", "invalid json", [{ field: "owner_team", message: `no team named ${team}; create it first (POST /admin/teams)` }]);
  }
}

/**
 * Declares what `service` depends on: every name must be a service the caller may see (a
 * 400 naming `depends_on` otherwise, and for the service itself). Whether the caller may
 * declare anything for `service` is the service_dependencies_write policy's to decide.
 */
export async function declareDependencies(sql: Sql, service: { id: number; name: string }, names: string[]): Promise<void> {
  if (names.includes(service.name)) throw new RequestError("validation-error", "invalid json", [{ field: "depends_on", message: "a service cannot depend on itself" }]);
  await setDeclaredDependencies(sql, service.id, await resolveServices(sql, names, "depends_on", false));
}
