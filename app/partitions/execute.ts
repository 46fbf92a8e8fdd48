import type postgres from "postgres";
import { log } from "../log.ts";
import { ident, readCatalog, type Catalog } from "./catalog.ts";
import type { PartitionAction } from "./plan.ts";

type Conn = postgres.ReservedSql;

/** `deferred`: its lock was not granted in any attempt; the next run tries again. */
export type ActionOutcome = { result: "done" | "already-done" | "deferred"; rowsMoved: number; detail: string };

/**
 * How long a DDL statement may wait for its lock before giving way. A lock request that
 * waits queues every later request behind it: a DETACH waiting on a long read would stall
 * every insert for as long as the read lasts. Waiting at most this long bounds the stall
 * an insert can see to it (issue 15: ≤ 100 ms); the attempts are spread out with jitter,
 * and a run that gets no lock defers the action to the next run.
 */
export const MAINTENANCE_LOCK_WAIT_MS = 50;
const LOCK_ATTEMPTS = 6;
const RETRY_PAUSE_MS = { min: 100, max: 400 };

class LockNotGranted extends Error {}

/**
 * Applies one planned action on a connection reserved for the run. Each action checks the
 * catalog first, so running it again after a crash or on a second runner does nothing
 * twice (idempotent), and each takes its strong locks only briefly.
 */
export async function executeAction(conn: Conn, table: string, action: PartitionAction): Promise<ActionOutcome> {
  try {
    return await applyAction(conn, table, action);
  } catch (error) {
    if (!(error instanceof LockNotGranted)) throw error;
    return { result: "deferred", rowsMoved: 0, detail: error.message };
  }
}

function applyAction(conn: Conn, table: string, action: PartitionAction): Promise<ActionOutcome> {
  switch (action.kind) {
    case "repair":
      return returnStrandedRows(conn, table, action);
    case "create":
      return createPartition(conn, table, action);
    case "detach":
      return detachPartition(conn, table, action);
    case "drop":
      return dropPartition(conn, table, action);
  }
}

const iso = (d: Date) => `'${d.toISOString()}'`;
const inRange = (a: { from: Date; to: Date }) => `ts >= ${iso(a.from)} AND ts < ${iso(a.to)}`;
const checkName = (partition: string) => `${partition}_bounds`;

/**
 * The partition as a plain table first, shaped like the parent, with a CHECK that proves
 * its bounds: ATTACH then needs no scan of it, and nothing here locks the parent.
 */
async function ensureStandaloneTable(conn: Conn, table: string, a: { partition: string; from: Date; to: Date }) {
  await conn.unsafe(`CREATE TABLE IF NOT EXISTS ${ident(a.partition)} (LIKE ${ident(table)} INCLUDING ALL)`);
  const [has] = await conn.unsafe(`SELECT 1 FROM pg_constraint WHERE conrelid = $1::regclass AND conname = $2`, [a.partition, checkName(a.partition)]);
  if (!has) await conn.unsafe(`ALTER TABLE ${ident(a.partition)} ADD CONSTRAINT ${ident(checkName(a.partition))} CHECK (ts IS NOT NULL AND ${inRange(a)})`);
}

const isAttached = (catalog: Catalog, partition: string) => catalog.partitions.some((p) => p.name === partition);

/** Moves every row of the range from DEFAULT into the new table, in the caller's transaction. */
async function moveRows(conn: Conn, defaultPartition: string, columns: string[], a: { partition: string; from: Date; to: Date }) {
  const cols = columns.map(ident).join(", ");
  const moved = await conn.unsafe(
    `WITH moved AS (DELETE FROM ${ident(defaultPartition)} WHERE ${inRange(a)} RETURNING ${cols})
     INSERT INTO ${ident(a.partition)} (${cols}) SELECT ${cols} FROM moved`,
  );
  return moved.count;
}

/**
 * A month's plain table that holds rows but was never attached (a run of an older version
 * that moved rows and then failed to attach, or a crash between the two): its rows are
 * readable by nobody. They go back through the parent, in one transaction with the drop
 * of the table, so they are readable again at once and the normal plan attaches their
 * month (they land in its partition or in DEFAULT).
 */
async function returnStrandedRows(conn: Conn, table: string, a: Extract<PartitionAction, { kind: "repair" }>): Promise<ActionOutcome> {
  const catalog = await readCatalog(conn, table);
  if (isAttached(catalog, a.partition)) return { result: "already-done", rowsMoved: 0, detail: `${a.partition} is attached` };
  const cols = catalog.columns.map(ident).join(", ");
  let rowsMoved = 0;
  await withLockRetries(conn, `repair ${a.partition}`, async () => {
    rowsMoved = (await conn.unsafe(`INSERT INTO ${ident(table)} (${cols}) SELECT ${cols} FROM ${ident(a.partition)}`)).count;
    await conn.unsafe(`DROP TABLE ${ident(a.partition)}`);
  });
  return { result: "done", rowsMoved, detail: `${a.partition} was never attached: returned its ${rowsMoved} rows to ${table} and dropped it` };
}

/**
 * Attaches the month. One transaction: lock DEFAULT so no row of the range can land there
 * meanwhile, move its rows of the month, ATTACH (which takes only SHARE UPDATE EXCLUSIVE on
 * the parent, so inserts into other months go on), and drop the now redundant CHECK.
 * Moving and attaching commit together or not at all: moved rows are never left in a
 * table that reads through log_events cannot see. (DEFAULT holds only what arrived outside
 * every partition, so the lock is short; it waits at most MAINTENANCE_LOCK_WAIT_MS.)
 */
async function createPartition(conn: Conn, table: string, a: Extract<PartitionAction, { kind: "create" }>): Promise<ActionOutcome> {
  const catalog = await readCatalog(conn, table);
  if (isAttached(catalog, a.partition)) return { result: "already-done", rowsMoved: 0, detail: `${a.partition} exists` };
  const { defaultPartition, columns } = catalog;
  let rowsMoved = 0;
  await withLockRetries(conn, `attach ${a.partition}`, async () => {
    await ensureStandaloneTable(conn, table, a);
    if (defaultPartition) {
      await conn.unsafe(`LOCK TABLE ${ident(defaultPartition)} IN ACCESS EXCLUSIVE MODE`);
      rowsMoved = await moveRows(conn, defaultPartition, columns, a);
    }
    await conn.unsafe(`ALTER TABLE ${ident(table)} ATTACH PARTITION ${ident(a.partition)} FOR VALUES FROM (${iso(a.from)}) TO (${iso(a.to)})`);
    await conn.unsafe(`ALTER TABLE ${ident(a.partition)} DROP CONSTRAINT IF EXISTS ${ident(checkName(a.partition))}`);
  });
  return { result: "done", rowsMoved, detail: `attached ${a.partition} for ${a.from.toISOString()} to ${a.to.toISOString()}${rowsMoved ? `, with ${rowsMoved} rows from DEFAULT` : ""}` };
}

/**
 * DETACH ... CONCURRENTLY where the server allows it (PostgreSQL 14+, and only when the
 * parent has no DEFAULT partition); otherwise a plain DETACH, which needs a brief ACCESS
 * EXCLUSIVE lock on the parent: it waits at most MAINTENANCE_LOCK_WAIT_MS per attempt, so
 * a long read defers it rather than stalling ingest behind it.
 */
async function detachPartition(conn: Conn, table: string, a: Extract<PartitionAction, { kind: "detach" }>): Promise<ActionOutcome> {
  const catalog = await readCatalog(conn, table);
  const part = catalog.partitions.find((p) => p.name === a.partition);
  if (!part) return { result: "already-done", rowsMoved: 0, detail: `${a.partition} is not attached` };
  if (part.detachPending) {
    await conn.unsafe(`ALTER TABLE ${ident(table)} DETACH PARTITION ${ident(a.partition)} FINALIZE`);
    return { result: "done", rowsMoved: 0, detail: `finished the interrupted detach of ${a.partition}` };
  }
  if (!catalog.defaultPartition && catalog.serverVersion >= 140000) {
    await conn.unsafe(`ALTER TABLE ${ident(table)} DETACH PARTITION ${ident(a.partition)} CONCURRENTLY`);
    return { result: "done", rowsMoved: 0, detail: `detached ${a.partition} concurrently` };
  }
  await withLockRetries(conn, `detach ${a.partition}`, () => conn.unsafe(`ALTER TABLE ${ident(table)} DETACH PARTITION ${ident(a.partition)}`));
  return { result: "done", rowsMoved: 0, detail: `detached ${a.partition}; it stays as a plain table` };
}

async function dropPartition(conn: Conn, table: string, a: Extract<PartitionAction, { kind: "drop" }>): Promise<ActionOutcome> {
  if (isAttached(await readCatalog(conn, table), a.partition)) throw new Error(`${a.partition} is still attached; detach it first`);
  const [exists] = await conn.unsafe(`SELECT to_regclass($1) IS NOT NULL AS ok`, [a.partition]);
  if (!exists?.ok) return { result: "already-done", rowsMoved: 0, detail: `${a.partition} does not exist` };
  await conn.unsafe(`DROP TABLE ${ident(a.partition)}`);
  return { result: "done", rowsMoved: 0, detail: `dropped ${a.partition}` };
}

/**
 * Runs `work` in a transaction that waits at most MAINTENANCE_LOCK_WAIT_MS for any lock,
 * retrying after a jittered pause when one was not granted; LockNotGranted after the last
 * attempt.
 */
async function withLockRetries(conn: Conn, what: string, work: () => Promise<unknown>) {
  for (let attempt = 1; ; attempt++) {
    await conn`BEGIN`;
    try {
      await conn.unsafe(`SET LOCAL lock_timeout = '${MAINTENANCE_LOCK_WAIT_MS}ms'`);
      await work();
      await conn`COMMIT`;
      return;
    } catch (error) {
      await conn`ROLLBACK`;
      if ((error as { code?: string }).code !== "55P03") throw error;
      if (attempt === LOCK_ATTEMPTS) {
        throw new LockNotGranted(`${what}: its lock was not granted within ${MAINTENANCE_LOCK_WAIT_MS} ms in ${LOCK_ATTEMPTS} attempts (long reads or writes hold the table); the next run tries again`);
      }
      log.debug({ attempt, what }, "lock not granted in time; retrying");
      await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS.min + Math.random() * (RETRY_PAUSE_MS.max - RETRY_PAUSE_MS.min)));
    }
  }
}
