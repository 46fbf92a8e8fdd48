import type { Db, Sql } from "../db/client.ts";
import type { ServiceIds } from "../services/service-ids.ts";

/** What route handlers need from the outside world, handed in by the entry point. */
export type AppDeps = {
  db: Db;
  sql: Sql;
  serviceIds: ServiceIds;
  /** The clock; tests pin it. */
  now: () => Date;
};
