import type { Db, Sql } from "../db/client.ts";
import type { ServiceIds } from "../services/service-ids.ts";

/** What route handlers need from the outside world, handed in by the entry point. */
export type AppDeps = {
  /** For building queries only; handlers run theirs on their own transaction (asActor). */
  db: Db;
  /** The pool; a request's work runs in asActor(sql, actor, ...), under row-level security. */
  sql: Sql;
  serviceIds: ServiceIds;
  /** The clock; tests pin it. */
  now: () => Date;
  /** "off" only for a laptop demo: every request then acts as Failsight itself. */
  auth: "on" | "off";
};
