import { roleOf, type Actor } from "./actor.ts";

/** What a route asks of its caller. `scrape` is reading Failsight's own metrics. */
export type Permission = "read" | "ingest" | "manage" | "admin" | "scrape";

/** Which roles each permission takes. Failsight's own jobs (system) may do anything. */
export const ROLES_FOR: Record<Permission, readonly string[]> = {
  read: ["viewer", "operator", "admin"],
  ingest: ["ingest", "operator", "admin"],
  manage: ["operator", "admin"],
  admin: ["admin"],
  // Per-service metrics name every team's services: admins, and the scrape token.
  scrape: ["admin"],
};

/** Why `actor` may not do what `permission` covers, or undefined when it may. */
export function refusal(actor: Actor, permission: Permission): string | undefined {
  const role = roleOf(actor);
  if (role === "system" || ROLES_FOR[permission].includes(role)) return undefined;
  if (role === "scraper") return permission === "scrape" ? undefined : "the scrape token opens /metrics only";
  return `this needs one of the roles ${ROLES_FOR[permission].join(", ")}; the key's role is ${role}`;
}
