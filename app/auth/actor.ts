/** Who a request acts for, decided by the API key; the database enforces what each may see. */
export type Role = "viewer" | "operator" | "admin";

export type Actor =
  | { kind: "system" }
  | { kind: "user"; userId: number; name: string; role: Role; keyPrefix: string }
  | { kind: "ingest"; name: string; keyPrefix: string; services: string[] };

export const SYSTEM: Actor = { kind: "system" };

export function roleOf(actor: Actor): Role | "ingest" | "system" {
  return actor.kind === "user" ? actor.role : actor.kind;
}
