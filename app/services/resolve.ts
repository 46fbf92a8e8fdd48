import type { Sql } from "../db/client.ts";
import { RequestError } from "../domain/request-error.ts";

/**
 * The ids of `names`, which must all be services the caller may see (a 400 naming `field`
 * otherwise) and, with `writable`, may change (a 403): for objects that cover services
 * (maintenance windows, incidents). The row policies on their link tables hold the same
 * line; this says which service is the problem.
 */
export async function resolveServices(sql: Sql, names: readonly string[], field: string, writable: boolean): Promise<number[]> {
  const found = await sql<{ id: number; name: string; writable: boolean }[]>`
    SELECT id, name, id IN (SELECT failsight_writable_services()) AS writable FROM services WHERE name = ANY(${names as string[]}::text[])`;
  const missing = names.filter((n) => !found.some((f) => f.name === n));
  if (missing.length) throw new RequestError("validation-error", "invalid json", [{ field, message: `no service named ${missing.join(", ")} (that this key may see)` }]);
  const locked = found.filter((f) => !f.writable).map((f) => f.name);
  if (writable && locked.length) throw new RequestError("forbidden", `this key may not change ${locked.join(", ")}`);
  return found.map((f) => f.id);
}
