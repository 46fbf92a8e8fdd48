import type { Role } from "./vocabulary.ts";

/**
 * Who a request acts for, decided by the API key; the database enforces what each may see.
 * `system` is Failsight's own jobs (the owner's scope); `scraper` is Prometheus holding
 * METRICS_TOKEN, which opens /metrics and nothing else. `keyId` is the API key a request
 * was let in with: each transaction made for it checks the key still holds (db/scoped.ts).
 */
export type Actor =
  | { kind: "system" }
  | { kind: "scraper" }
  | { kind: "user"; userId: number; name: string; role: Role; keyPrefix: string; keyId?: number }
  | { kind: "ingest"; name: string; keyPrefix: string; services: string[]; lenient?: boolean; keyId?: number };

export const SYSTEM: Actor = { kind: "system" };
export const SCRAPER: Actor = { kind: "scraper" };

export function roleOf(actor: Actor): Role | "ingest" | "system" | "scraper" {
  return actor.kind === "user" ? actor.role : actor.kind;
}
