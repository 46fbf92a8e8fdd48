import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { createDb, type Sql } from "../../app/db/client.ts";
import { startEmbeddedPostgres } from "../../app/db/embedded.ts";
import { runMigrations } from "../../app/db/migrate.ts";
import { createProductionLikeDatabase } from "../../app/db/roles.ts";
import { addMonths, monthStart, partitionName } from "../../app/partitions/months.ts";
import { PARTITION_DEFAULTS } from "../../app/partitions/policy.ts";
import { ROLLUP_TABLE } from "../../app/rollups/rollup-sql.ts";
import { freePort } from "../../app/test-support/free-port.ts";

/**
 * A database to measure on, shaped as production runs it: an owner role that migrated, the
 * API's runtime role, and the superuser only for baselines (COPY, SQL without row-level
 * security) and for loading the fixture.
 */
export type Target = {
  label: string;
  version: string;
  jit: string;
  superSql: Sql;
  /** The owner's pool in Failsight's system scope (arranging data, as Failsight's own jobs). */
  systemSql: Sql;
  ownerUrl: string;
  runtimeUrl: string;
  /**
   * Brings the database to rest before a timed run: vacuumed, checkpointed, and with no
   * autovacuum worker in it, so that a run does not pay for the one before it. Without
   * this the database's CPU per ingested event rose 49 -> 94 us over six runs of the same
   * path, as autovacuum and the full-page writes after a checkpoint caught up (#15).
   */
  settle: () => Promise<void>;
  close: () => Promise<void>;
};

export async function openTarget(label: string, superuserUrl: string | undefined, monthsBack: number): Promise<Target> {
  const embedded = superuserUrl
    ? undefined
    : await startEmbeddedPostgres({ dataDir: path.join(mkdtempSync(path.join(tmpdir(), "failsight-bench-")), "pgdata"), port: await freePort(), persistent: false });
  const adminUrl = superuserUrl ?? embedded!.url;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const name = `failsight_bench_${Date.now().toString(36)}`;
  const database = await createProductionLikeDatabase(admin, adminUrl, name, "bench");
  const owner = createDb(database.ownerUrl, { max: 2, applicationName: "failsight-bench-migrate" }).sql;
  await runMigrations(owner);
  // The migration made this month and three ahead; the partition controller would have
  // made the months behind as their events arrived.
  for (const table of [PARTITION_DEFAULTS.table, ROLLUP_TABLE]) {
    for (let i = 1; i <= monthsBack; i++) {
      const month = addMonths(monthStart(new Date()), -i);
      await owner.unsafe(`CREATE TABLE ${partitionName(table, month)} PARTITION OF ${table} FOR VALUES FROM ('${month.toISOString()}') TO ('${addMonths(month, 1).toISOString()}')`);
    }
  }
  await owner.end();
  const superSql = createDb(Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString(), { max: 4, applicationName: "failsight-bench", timeouts: { statementMs: 0 } }).sql;
  const systemSql = createDb(database.ownerUrl, { max: 4, applicationName: "failsight-bench-system", systemScope: true }).sql;
  const [{ server_version: version }] = (await admin`SHOW server_version`) as unknown as [{ server_version: string }];
  // The server's own JIT setting, which Failsight's connections override.
  const [{ jit }] = (await admin`SHOW jit`) as unknown as [{ jit: string }];
  return {
    label,
    version,
    jit,
    superSql,
    systemSql,
    ownerUrl: database.ownerUrl,
    runtimeUrl: database.runtimeUrl,
    settle: async () => {
      await superSql`VACUUM`;
      await superSql`CHECKPOINT`;
      for (let i = 0; i < 600; i++) {
        const [busy] = await superSql<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND datname = current_database()`;
        if (!busy!.n) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: async () => {
      await superSql.end();
      await systemSql.end();
      await database.drop();
      await admin.end();
      await embedded?.stop();
    },
  };
}
