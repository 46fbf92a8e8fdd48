import type { Sql } from "../db/client.ts";
import { RequestError } from "../domain/request-error.ts";

/** Where a transaction hands over work to run only once it has committed. */
export type AfterCommit = (run: () => void) => void;

/**
 * Maps service names to their ids, registering unknown names on first sight. Ids never
 * change once given, so they are cached for the life of the process, but only once the
 * transaction that learned them has committed: an id from a transaction that rolled back
 * names no row, and handing it to the next batch failed that batch (and every later one
 * for the name) on the check that an event names a service (migrations/0018). The cache is bounded so a flood of one-off names
 * cannot grow it without end. A cached id grants nothing: every query that uses one still
 * passes row-level security, and each call runs on the caller's own transaction.
 */
export class ServiceIds {
  private readonly cache = new Map<string, number>();
  private readonly maxCached: number;

  constructor(maxCached = 50_000) {
    this.maxCached = maxCached;
  }

  /**
   * The id of every name, registering those that do not exist yet, in the caller's
   * transaction. A new service registered by an operator belongs to its team (see
   * migrations/0004). Throws RequestError("forbidden") naming the services that exist but that
   * the caller may not see, and those it may not register.
   */
  async register(sql: Sql, names: Iterable<string>, afterCommit: AfterCommit): Promise<Map<string, number>> {
    const { found, missing } = this.lookupCached(names);
    if (!missing.length) return found;
    const learned = await this.visible(sql, missing);
    const unknown = missing.filter((n) => !learned.has(n));
    if (unknown.length) {
      // A name registered by a concurrent batch is taken by neither the INSERT (it waits
      // for that batch, then does nothing) nor a RETURNING: the second read finds it.
      await sql`
        INSERT INTO services (name, owner_team) SELECT n, failsight_new_service_owner() FROM unnest(${unknown}::text[]) AS n
        ON CONFLICT (name) DO NOTHING`;
      for (const [name, id] of await this.visible(sql, unknown)) learned.set(name, id);
      const refused = unknown.filter((n) => !learned.has(n));
      if (refused.length) throw new RequestError("forbidden", `not entitled to write to ${refused.join(", ")}; nothing was stored`);
    }
    for (const [name, id] of learned) found.set(name, id);
    afterCommit(() => this.remember(learned));
    return found;
  }

  /** The ids of the names that exist and the caller may see; the rest are left out, never created. */
  async find(sql: Sql, names: Iterable<string>): Promise<Map<string, number>> {
    const { found, missing } = this.lookupCached(names);
    if (missing.length) {
      // Read-only callers see only committed rows, so what they learn can be kept at once.
      const learned = await this.visible(sql, missing);
      this.remember(learned);
      for (const [name, id] of learned) found.set(name, id);
    }
    return found;
  }

  /**
   * The ids of the names, from the cache alone, or undefined when one of them is not there
   * (find, in a transaction, learns it): a read that knows its services' ids can send its
   * statement at once.
   */
  known(names: Iterable<string>): number[] | undefined {
    const { found, missing } = this.lookupCached(names);
    return missing.length ? undefined : [...found.values()];
  }

  /** Forgets every cached id (tests, and a service deleted by hand). */
  clear(): void {
    this.cache.clear();
  }

  private lookupCached(names: Iterable<string>) {
    const found = new Map<string, number>();
    const missing: string[] = [];
    for (const name of new Set(names)) {
      const id = this.cache.get(name);
      if (id === undefined) missing.push(name);
      else found.set(name, id);
    }
    return { found, missing };
  }

  private async visible(sql: Sql, names: string[]): Promise<Map<string, number>> {
    const rows = await sql<{ id: number; name: string }[]>`SELECT id, name FROM services WHERE name = ANY(${names}::text[])`;
    return new Map(rows.map((r) => [r.name, r.id]));
  }

  private remember(learned: Map<string, number>) {
    if (this.cache.size + learned.size > this.maxCached) this.cache.clear();
    for (const [name, id] of learned) this.cache.set(name, id);
  }
}
