import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "../db/client.ts";
import { testHarness, unique } from "../test-support/harness.ts";
import { freshDatabase } from "../test-support/fresh-database.ts";
import { runPartitionMaintenance } from "./maintain.ts";
import { addMonths, monthStart, partitionName } from "./months.ts";
import { PartitionPolicySpec } from "./policy.ts";

// Where partition maintenance meets ingest and row-level security, on the real schema in a
// database of this file's own: events go in through the API with an ingest key, maintenance
// runs as the owner with no scope (as the controller does), and every row is counted
// through GET /logs.
const databaseUrl = await freshDatabase();
const h = testHarness({ databaseUrl });
// Maintenance connects as the owner (the controller's role), with no scope of its own.
const maintenancePool = createDb(databaseUrl, { max: 2, applicationName: "failsight-maintenance-test" }).sql;
afterAll(() => maintenancePool.end({ timeout: 5 }));
const readable = async (service: string) => {
  const from = "1970-01-01T00:00:00Z";
  const to = "9999-01-01T00:00:00Z";
  const res = await h.get(`/logs?service=${service}&from=${from}&to=${to}&limit=1000`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: unknown[] }).items.length;
};

describe("partition maintenance with row-level security", () => {
  it("attaches months for events far ahead and far behind without stranding one (issue 10, defect 1)", async () => {
    const service = unique("edge");
    const ingest = await h.caller({ ingest: [service] });
    const now = new Date();
    const ahead = addMonths(monthStart(now), 7);
    const behind = addMonths(monthStart(now), -24);
    const res = await ingest.postJson("/v1/logs", [
      { service, timestamp: new Date(ahead.getTime() + 86_400_000).toISOString() },
      { service, timestamp: new Date(behind.getTime() + 86_400_000).toISOString() },
      { service },
    ]);
    expect(res.status).toBe(200);
    expect(await readable(service)).toBe(3);

    const report = await runPartitionMaintenance(maintenancePool, PartitionPolicySpec.parse({ premakeMonths: 8, retentionMonths: 36 }), now);
    if (!report.ran) throw new Error(report.reason);
    expect(report.actions.filter((a) => a.result === "failed")).toEqual([]);
    expect(report.actions.map((a) => a.partition)).toEqual(expect.arrayContaining([partitionName("log_events", behind), partitionName("log_events", ahead)]));
    expect(report.defaultRows).toBe(0);
    expect(await readable(service)).toBe(3);
  });

  it("returns the rows of a table an older version moved but never attached, and says so", async () => {
    const service = unique("stranded");
    const month = addMonths(monthStart(new Date()), -30);
    const name = partitionName("log_events", month);
    expect((await h.postJson("/v1/logs", [1, 2, 3].map((d) => ({ service, timestamp: new Date(month.getTime() + d * 86_400_000).toISOString() })))).status).toBe(200);
    // What 0.1 did before its ATTACH failed: a plain table with a bounds CHECK, DEFAULT's rows moved in, committed.
    await h.sql.unsafe(`CREATE TABLE ${name} (LIKE log_events INCLUDING ALL)`);
    await h.sql.unsafe(`ALTER TABLE ${name} ADD CONSTRAINT ${name}_bounds CHECK (ts >= '${month.toISOString()}' AND ts < '${addMonths(month, 1).toISOString()}')`);
    await h.sql.unsafe(`WITH moved AS (DELETE FROM log_events_default WHERE ts >= '${month.toISOString()}' AND ts < '${addMonths(month, 1).toISOString()}' RETURNING *) INSERT INTO ${name} SELECT * FROM moved`);
    expect(await readable(service)).toBe(0);

    const report = await runPartitionMaintenance(maintenancePool, PartitionPolicySpec.parse({ premakeMonths: 3, retentionMonths: 36 }), new Date());
    if (!report.ran) throw new Error(report.reason);
    expect(report.actions[0]).toMatchObject({ kind: "repair", partition: name, result: "done", rowsMoved: 3 });
    expect(report.actions).toContainEqual(expect.objectContaining({ kind: "create", partition: name, result: "done", rowsMoved: 3 }));
    expect(await readable(service)).toBe(3);
  });

  it("leaves nothing half-done when the attach fails: the rows stay in DEFAULT, readable", async () => {
    const service = unique("blocked");
    const month = addMonths(monthStart(new Date()), -20);
    expect((await h.postJson("/v1/logs", [{ service, timestamp: new Date(month.getTime() + 3_600_000).toISOString() }])).status).toBe(200);
    // A foreign table squatting on the month's name with rows that break its bounds: the attach must fail.
    const name = partitionName("log_events", month);
    await h.sql.unsafe(`CREATE TABLE ${name} (LIKE log_events INCLUDING ALL)`);
    await h.sql.unsafe(`INSERT INTO ${name} (ts, service_id, level, message) SELECT '1999-01-01', id, 'info', 'squatter' FROM services WHERE name = '${service}'`);
    const report = await runPartitionMaintenance(maintenancePool, PartitionPolicySpec.parse({ premakeMonths: 3, retentionMonths: 36 }), new Date());
    if (!report.ran) throw new Error(report.reason);
    expect(report.actions.find((a) => a.partition === name)).toMatchObject({ kind: "create", result: "failed" });
    expect(await readable(service)).toBe(1);
    await h.sql.unsafe(`DROP TABLE ${name}`);
  });
});
