import type { Sql } from "../db/client.ts";

/** Records that a message was stored; false when it already was (a redelivery). */
export async function recordReceipt(sql: Sql, source: string, messageId: string): Promise<boolean> {
  const rows = await sql`INSERT INTO ingest_receipts (source, message_id) VALUES (${source}, ${messageId}) ON CONFLICT DO NOTHING RETURNING 1`;
  return rows.length === 1;
}

/** Drops receipts older than any redelivery can come (JetStream redelivers within minutes). */
export async function forgetReceipts(sql: Sql, olderThanHours: number): Promise<number> {
  const rows = await sql`DELETE FROM ingest_receipts WHERE received_at < now() - make_interval(hours => ${olderThanHours}) RETURNING 1`;
  return rows.length;
}
