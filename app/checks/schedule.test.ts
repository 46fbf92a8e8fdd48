import { afterAll, describe, expect, inject, it } from "vitest";
import { createDb } from "../db/client.ts";
import { runInScope } from "../db/scope.ts";
import { SYSTEM } from "../domain/actor.ts";
import { unique } from "../test-support/harness.ts";
import { claimDueChecks } from "./schedule.ts";

// The runner's claim on the real schema, as the controller runs it: the owner's connection
// in Failsight's own scope. Two controllers (two namespaces) on one database each claimed
// every due kubernetes check, so a namespace's leader probed another's.
const { sql } = createDb(inject("databaseUrl"), { max: 2, applicationName: "failsight-schedule-test", systemScope: true });
afterAll(() => sql.end({ timeout: 5 }));

describe("claimDueChecks", () => {
  it("takes only the due checks of its source under its name prefix, each once", async () => {
    const [a, b] = [unique("ns-a"), unique("ns-b")];
    const service = unique("svc-sched");
    await sql`INSERT INTO services (name) VALUES (${service})`;
    for (const name of [`k8s/${a}/web`, `k8s/${a}/db`, `k8s/${b}/web`]) {
      await sql`INSERT INTO checks (name, service_id, kind, spec, interval_seconds, timeout_ms, source)
                SELECT ${name}, id, 'tcp', '{"host":"127.0.0.1","port":9}', 60, 1000, 'kubernetes' FROM services WHERE name = ${service}`;
    }
    const claim = (prefix: string) => runInScope(sql, SYSTEM, ({ sql: tx }) => claimDueChecks(tx, "kubernetes", 100, [], prefix));
    expect((await claim(`k8s/${a}/`)).map((c) => c.name).sort()).toEqual([`k8s/${a}/db`, `k8s/${a}/web`]);
    // Claimed: not due again until their lease ends.
    expect(await claim(`k8s/${a}/`)).toEqual([]);
    expect((await claim(`k8s/${b}/`)).map((c) => c.name)).toEqual([`k8s/${b}/web`]);
  });
});
