import type { Sql } from "../db/client.ts";

/**
 * Maps service names to their ids, registering unknown names on first sight. Ids never
 * change once given, so they are cached for the life of the process; the cache is
 * bounded so a flood of one-off names cannot grow it without end. A cached id grants
 * nothing: every query that uses one still passes row-level security, and each call runs
 * on the caller's own transaction.
 */
export class ServiceIds {
  private readonly cache = new Map<string, number>();
  private readonly maxCached: number;

  constructor(maxCached = 50_000) {
    this.maxCached = maxCached;
  }

  /** Registers every name not yet known and returns the id of each. */
  async register(sql: Sql, names: Iterable<string>): Promise<Map<string, number>> {
    const { found, missing } = this.lookupCached(names);
    if (missing.length) {
      // Registration commits on its own, ahead of the batch that needed it: a batch that
      // then fails leaves a registered service with no events, which is harmless.
      await sql`
        INSERT INTO services (name) SELECT unnest(${missing}::text[])
        ON CONFLICT (name) DO NOTHING`;
      await this.fill(sql, found, missing);
    }
    return found;
  }

  /** The ids of the names that exist; unknown names are left out, never created. */
  async find(sql: Sql, names: Iterable<string>): Promise<Map<string, number>> {
    const { found, missing } = this.lookupCached(names);
    if (missing.length) await this.fill(sql, found, missing);
    return found;
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

  private async fill(sql: Sql, found: Map<string, number>, names: string[]) {
    const rows = await sql<{ id: number; name: string }[]>`
      SELECT id, name FROM services WHERE name = ANY(${names}::text[])`;
    if (this.cache.size + rows.length > this.maxCached) this.cache.clear();
    for (const { id, name } of rows) {
      this.cache.set(name, id);
      found.set(name, id);
    }
  }
}
