import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import type { LogSelector } from "./ast.ts";
import { batchLinesStatement, type JournalBatch } from "./compile.ts";
import { readLines, resolveServices, toStreams, type LineRow, type Stream } from "./repository.ts";

// Live tail, as Loki's /tail: the lines a selector matches from `start` on, then every new
// one as it is stored, in any API replica. New lines are found through the ingest journal
// (ingest_batches): each batch's row becomes visible when its events do, so a look at the
// journal's recent rows never misses a batch that committed late, and the tail fetches only
// those batches' events. Each look runs in the caller's transaction, so row-level security
// (and a key revoked meanwhile) applies to every line sent.

/** How far back a look reaches in the journal: longer than any batch's transaction. */
export const JOURNAL_LOOKBACK_SECONDS = 60;
/** How often a tail looks for new lines: within a second of their commit. */
export const TAIL_POLL_MS = 500;

type JournalRow = { seq: string; first_id: string; last_id: string; first_ts: string; last_ts: string };

export class Tail {
  /** Journal rows already read, and lines already sent, each with when it may be forgotten. */
  private readonly seenBatches = new Map<string, number>();
  private readonly seenLines = new Map<string, number>();
  private readonly selector: LogSelector;

  constructor(selector: LogSelector) {
    this.selector = selector;
  }

  /** The lines from `startUs` until now, oldest first, at most `limit`; batches stored before this count as seen. */
  async begin(db: Db, startUs: number, nowUs: number, limit: number): Promise<Stream[]> {
    await this.newBatches(db);
    const rows = await readLines(db, { selector: this.selector, window: { fromUs: startUs, toUs: nowUs + 1 }, direction: "backward", limit });
    return this.unsent(rows.reverse());
  }

  /** Lines stored since the last look that the selector matches and the caller may read. */
  async next(db: Db): Promise<Stream[]> {
    const batches = await this.newBatches(db);
    if (batches.length === 0) return [];
    const serviceIds = await resolveServices(db, this.selector);
    if (serviceIds?.length === 0) return [];
    const rows = (await db.execute(batchLinesStatement(this.selector, batches, serviceIds))) as unknown as LineRow[];
    return this.unsent(rows);
  }

  private async newBatches(db: Db): Promise<JournalBatch[]> {
    const rows = (await db.execute(sql`
      SELECT seq::text, first_id::text, last_id::text, first_ts::text, last_ts::text
      FROM ingest_batches WHERE at > now() - make_interval(secs => ${JOURNAL_LOOKBACK_SECONDS}) ORDER BY seq`)) as unknown as JournalRow[];
    const fresh = rows.filter((r) => !this.seenBatches.has(r.seq));
    const forgetAfter = Date.now() + 2 * JOURNAL_LOOKBACK_SECONDS * 1000;
    for (const r of fresh) this.seenBatches.set(r.seq, forgetAfter);
    this.forget();
    return fresh.map((r) => ({ firstId: r.first_id, lastId: r.last_id, firstTs: r.first_ts, lastTs: r.last_ts }));
  }

  private unsent(rows: LineRow[]): Stream[] {
    const forgetAfter = Date.now() + 2 * JOURNAL_LOOKBACK_SECONDS * 1000;
    const fresh = rows.filter((r) => !this.seenLines.has(String(r.id)));
    for (const r of fresh) this.seenLines.set(String(r.id), forgetAfter);
    return toStreams(fresh, this.selector);
  }

  private forget() {
    const now = Date.now();
    for (const seen of [this.seenBatches, this.seenLines]) for (const [key, until] of seen) if (until < now) seen.delete(key);
  }
}
