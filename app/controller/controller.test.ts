import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDb } from "../db/client.ts";
import { freePort } from "../test-support/free-port.ts";
import { tcpRelay } from "../test-support/tcp-relay.ts";
import { NO_ENVTEST, envtestClient, envtestConfig, envtestKubeconfig, freshNamespace, installCrd, waitFor } from "../test-support/envtest.ts";
import { maintenanceDatabase } from "../test-support/maintenance-database.ts";
import { controllerHttpApp } from "./http.ts";
import { KubeClient } from "./machine/kube-client.ts";
import { loadKubeconfigFile } from "./machine/kubeconfig.ts";
import { startController, type Controller } from "./start.ts";
import { GROUP, PLURAL, VERSION, type PolicyObject } from "./partition-policy/resource.ts";

// Against a real kube-apiserver + etcd (../shared/envtest) and the run's real PostgreSQL.
const suite = describe.skipIf(!envtestKubeconfig);
if (!envtestKubeconfig) describe(`partition controller (skipped: ${NO_ENVTEST})`, () => it.skip("needs a kube-apiserver", () => {}));

const { sql } = createDb(inject("databaseUrl"), { max: 6, applicationName: "failsight-controller-test" });
afterAll(() => sql.end({ timeout: 5 }));

let kc: KubeConfig;
let kube: KubeClient;
let objects: CustomObjectsApi;
const controllers: Controller[] = [];
afterAll(async () => {
  await Promise.all(controllers.map((c) => c.stop()));
});

const quickLease = (name: string) => ({ name, leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 });

async function getPolicy(namespace: string, name: string): Promise<PolicyObject> {
  return (await objects.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name })) as PolicyObject;
}

async function createPolicy(namespace: string, name: string, spec: Record<string, unknown>, labels?: Record<string, string>) {
  await objects.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, body: { apiVersion: `${GROUP}/${VERSION}`, kind: "PartitionPolicy", metadata: { name, ...(labels ? { labels } : {}) }, spec } });
}

/** The controller's way to the envtest API server, through a relay the test can cut and restore. */
async function cuttableApiServer() {
  const credentials = loadKubeconfigFile(envtestKubeconfig!).credentials;
  const target = new URL(credentials.server);
  const relay = tcpRelay({ host: target.hostname, port: Number(target.port) }, await freePort());
  await relay.open();
  return { kube: new KubeClient({ ...credentials, server: `https://127.0.0.1:${relay.port}` }), cut: relay.cut, restore: relay.open };
}

async function eventsFor(namespace: string, name: string) {
  const list = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace });
  return list.items.filter((e) => e.involvedObject.name === name);
}

const ready = (p: PolicyObject) => p.status?.conditions?.find((c) => c.type === "Ready");

suite("partition controller against a real kube-apiserver", () => {
  beforeAll(async () => {
    kc = envtestConfig();
    kube = envtestClient();
    objects = kc.makeApiClient(CustomObjectsApi);
    await installCrd(kc);
  });

  it("creates partitions, reports status and events, and reconciles a spec change", async () => {
    const namespace = await freshNamespace(kc);
    const db = await maintenanceDatabase();
    const table = "log_events";
    const registry = new Registry();
    const controller = startController({ kube, sql: db.pool, namespace, identity: "solo", registry, lease: quickLease("solo-lease") });
    controllers.push(controller);

    // The API server fills in the CRD's defaults: detach, 12 months, 1h.
    await createPolicy(namespace, "logs", { table, premakeMonths: 2 });
    const done = await waitFor(async () => {
      const p = await getPolicy(namespace, "logs");
      return ready(p)?.status === "True" && p;
    }, 20_000, "Ready=True");
    expect(done.status).toMatchObject({ observedGeneration: 1, monthsAhead: 2, defaultRows: 0 });
    expect(ready(done)).toMatchObject({ reason: "Reconciled", observedGeneration: 1 });
    expect(await db.attachedPartitions()).toHaveLength(4); // DEFAULT + this month + 2
    expect(done.status!.partitions!.filter((p) => p.managed).map((p) => p.name)).toEqual((await db.attachedPartitions()).filter((n) => !n.endsWith("_default")));
    expect(done.status!.nextRunTime! > done.status!.lastRunTime!).toBe(true);

    const created = await waitFor(async () => {
      const events = (await eventsFor(namespace, "logs")).filter((e) => e.reason === "PartitionCreated");
      return events.length === 3 && events;
    }, 10_000, "three PartitionCreated events");
    expect(created.every((e) => e.type === "Normal" && e.reportingInstance === "solo")).toBe(true);

    await objects.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace, plural: PLURAL, name: "logs", body: { spec: { premakeMonths: 4 } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await waitFor(async () => (await getPolicy(namespace, "logs")).status?.observedGeneration === 2, 20_000, "generation 2 observed");
    expect(await db.attachedPartitions()).toHaveLength(6);
    expect((await getPolicy(namespace, "logs")).status?.monthsAhead).toBe(4);

    const metrics = await registry.metrics();
    expect(metrics).toContain(`failsight_partition_runs_total{policy="${namespace}/logs",result="success"} 2`);
    expect(metrics).toMatch(new RegExp(`failsight_partition_months_ahead\\{table="${table}"\\} 4`));
    expect(metrics).toContain("failsight_controller_leader 1");
  });

  it("reports a failing run as Ready=False with a Warning event", async () => {
    const namespace = await freshNamespace(kc);
    const controller = startController({ kube, sql, namespace, identity: "solo-2", registry: new Registry(), lease: quickLease("solo-2-lease") });
    controllers.push(controller);
    await createPolicy(namespace, "broken", { table: "no_such_table" });
    const failed = await waitFor(async () => {
      const p = await getPolicy(namespace, "broken");
      return ready(p)?.status === "False" && p;
    }, 20_000, "Ready=False");
    expect(ready(failed)).toMatchObject({ reason: "RunFailed", message: "table no_such_table does not exist" });
    // Retried within a minute, not after the 1h interval.
    expect(Date.parse(failed.status!.nextRunTime!) - Date.parse(failed.status!.lastRunTime!)).toBe(60_000);
    await waitFor(async () => (await eventsFor(namespace, "broken")).some((e) => e.type === "Warning" && e.reason === "ReconcileFailed"), 10_000, "a Warning event");
  });

  it("with two replicas only the leader acts, and the other takes over within the lease duration when it dies", async () => {
    const namespace = await freshNamespace(kc);
    const db = await maintenanceDatabase();
    const table = "log_events";
    const leaseName = "failsight-partition-controller";
    const leases = kc.makeApiClient(CoordinationV1Api);
    const holder = async () => (await leases.readNamespacedLease({ name: leaseName, namespace })).spec?.holderIdentity;

    // Replica A is the real entry point in its own process, so it can die for real.
    const a = spawn(process.execPath, [fileURLToPath(new URL("../main/controller.ts", import.meta.url))], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: db.url,
        KUBECONFIG: envtestKubeconfig,
        CONTROLLER_NAMESPACE: namespace,
        POD_NAME: "replica-a",
        CONTROLLER_PORT: "0",
        LEASE_DURATION_SECONDS: "4",
        LEASE_RENEW_DEADLINE_SECONDS: "3",
        LEASE_RETRY_PERIOD_SECONDS: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    a.stdout!.on("data", (d) => (output += d));
    a.stderr!.on("data", (d) => (output += d));
    try {
      await waitFor(async () => (await holder()) === "replica-a", 20_000, `replica-a to lead (${output.slice(-500)})`);

      const b = startController({ kube, sql: db.pool, namespace, identity: "replica-b", registry: new Registry(), lease: { ...quickLease(leaseName), leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 1_000 } });
      controllers.push(b);
      await b.listed;
      await createPolicy(namespace, "logs", { table, premakeMonths: 1 });
      await waitFor(async () => ready(await getPolicy(namespace, "logs"))?.status === "True", 20_000, "Ready=True from the leader");
      const first = await eventsFor(namespace, "logs");
      expect(first.length).toBeGreaterThan(0);
      expect(new Set(first.map((e) => e.reportingInstance))).toEqual(new Set(["replica-a"]));
      expect(b.isLeader()).toBe(false);

      const transitionsBefore = (await leases.readNamespacedLease({ name: leaseName, namespace })).spec?.leaseTransitions ?? 0;
      a.kill("SIGKILL");
      const killedAt = Date.now();
      await waitFor(async () => (await holder()) === "replica-b", 15_000, "replica-b to take over");
      const tookOverIn = Date.now() - killedAt;
      console.log(`replica-b took over ${tookOverIn} ms after replica-a was killed (lease duration 4000 ms)`);
      // Lease duration 4 s, judged from the last renewal replica-b saw, plus one retry period.
      expect(tookOverIn).toBeLessThan(4_000 + 1_000 + 1_000);
      const lease = await leases.readNamespacedLease({ name: leaseName, namespace });
      expect(lease.spec?.leaseTransitions).toBe(transitionsBefore + 1);
      expect(b.isLeader()).toBe(true);

      await objects.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace, plural: PLURAL, name: "logs", body: { spec: { premakeMonths: 3 } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      await waitFor(async () => (await getPolicy(namespace, "logs")).status?.observedGeneration === 2, 20_000, "the new leader to reconcile");
      expect(await db.attachedPartitions()).toHaveLength(5);
      const later = (await eventsFor(namespace, "logs")).filter((e) => !first.some((f) => f.metadata?.uid === e.metadata?.uid));
      expect(later.length).toBeGreaterThan(0);
      expect(new Set(later.map((e) => e.reportingInstance))).toEqual(new Set(["replica-b"]));
    } finally {
      if (a.exitCode === null) a.kill("SIGKILL");
    }
  });

  it("with a selector, two releases in one namespace each reconcile only their own policy, on their own database", async () => {
    const namespace = await freshNamespace(kc);
    const [dbA, dbB] = [await maintenanceDatabase(), await maintenanceDatabase()];
    for (const [release, db, identity] of [["a", dbA, "release-a-0"], ["b", dbB, "release-b-0"]] as const) {
      const c = startController({ kube, sql: db.pool, namespace, labelSelector: `failsight.io/release=${release}`, identity, registry: new Registry(), lease: quickLease(`${release}-controller`) });
      controllers.push(c);
    }
    // The same table in both: each release's log_events is in its own database.
    await createPolicy(namespace, "a-logs", { table: "log_events", premakeMonths: 1 }, { "failsight.io/release": "a" });
    await createPolicy(namespace, "b-logs", { table: "log_events", premakeMonths: 4 }, { "failsight.io/release": "b" });
    await createPolicy(namespace, "nobodys", { table: "log_events", premakeMonths: 2 });
    for (const name of ["a-logs", "b-logs"]) await waitFor(async () => ready(await getPolicy(namespace, name))?.status === "True", 20_000, `${name} Ready`);

    expect(await dbA.attachedPartitions()).toHaveLength(3); // DEFAULT + this month + 1
    expect(await dbB.attachedPartitions()).toHaveLength(6); // DEFAULT + this month + 4
    expect(new Set((await eventsFor(namespace, "a-logs")).map((e) => e.reportingInstance))).toEqual(new Set(["release-a-0"]));
    expect(new Set((await eventsFor(namespace, "b-logs")).map((e) => e.reportingInstance))).toEqual(new Set(["release-b-0"]));
    // A policy no release selects is left alone: no status, no events.
    expect((await getPolicy(namespace, "nobodys")).status).toBeUndefined();
    expect(await eventsFor(namespace, "nobodys")).toEqual([]);
  }, 40_000);

  it("refuses a second policy for the same table with a TableConflict condition, and takes it up when the first is deleted", async () => {
    const namespace = await freshNamespace(kc);
    const db = await maintenanceDatabase();
    controllers.push(startController({ kube, sql: db.pool, namespace, identity: "solo-3", registry: new Registry(), lease: quickLease("solo-3-lease") }));
    await createPolicy(namespace, "first", { table: "log_events", premakeMonths: 1 });
    await waitFor(async () => ready(await getPolicy(namespace, "first"))?.status === "True", 20_000, "first Ready");
    await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has one-second resolution
    await createPolicy(namespace, "second", { table: "log_events", premakeMonths: 4 });

    const refused = await waitFor(async () => {
      const p = await getPolicy(namespace, "second");
      return ready(p)?.reason === "TableConflict" && p;
    }, 20_000, "second refused");
    expect(ready(refused)).toMatchObject({ status: "False", message: expect.stringContaining("table log_events is already managed by PartitionPolicy first") });
    expect(refused.status?.monthsAhead).toBeUndefined();
    await waitFor(async () => (await eventsFor(namespace, "second")).some((e) => e.type === "Warning" && e.reason === "TableConflict"), 10_000, "a TableConflict event");
    expect(await db.attachedPartitions()).toHaveLength(3); // the first policy's months only

    await objects.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name: "first" });
    const taken = await waitFor(async () => {
      const p = await getPolicy(namespace, "second");
      return ready(p)?.status === "True" && p;
    }, 20_000, "second Ready once first is gone");
    expect(taken.status?.monthsAhead).toBe(4);
    expect(await db.attachedPartitions()).toHaveLength(6);
  }, 40_000);

  it("through an API-server outage (its connection cut by a relay, the server itself keeps running): liveness stays up, readiness and leadership follow the connection and come back", async () => {
    const namespace = await freshNamespace(kc);
    const relay = await cuttableApiServer();
    const controller = startController({ kube: relay.kube, sql, namespace, identity: "outage", registry: new Registry(), lease: quickLease("outage-lease") });
    controllers.push(controller);
    const http = controllerHttpApp(new Registry(), () => controller.readiness());
    const probe = async (path: string) => {
      const response = await http.request(path);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    await waitFor(async () => (await probe("/readyz")).status === 200, 20_000, "ready");
    expect((await probe("/readyz")).body).toMatchObject({ ready: true, watching: true, leaderKnown: true, leader: true });

    await relay.cut();
    const cutAt = Date.now();
    const notReady = await waitFor(async () => {
      const r = await probe("/readyz");
      return r.status === 503 && !r.body.leader && r.body;
    }, 15_000, "not ready, and no longer leading, once the API server is gone");
    console.log(`readiness went false ${Date.now() - cutAt} ms after the cut (lease 4 s, renew deadline 3 s): ${JSON.stringify(notReady)}`);
    expect(notReady).toMatchObject({ ready: false, watching: false, leaderKnown: false });
    // Liveness does not follow: a restart cannot bring the API server back.
    expect(await probe("/healthz")).toEqual({ status: 200, body: { status: "ok" } });
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await probe("/healthz")).status).toBe(200);

    await relay.restore();
    const restoredAt = Date.now();
    await waitFor(async () => (await probe("/readyz")).status === 200, 20_000, "ready again once the API server is back");
    console.log(`ready again ${Date.now() - restoredAt} ms after the API server came back`);
    expect((await probe("/readyz")).body).toMatchObject({ watching: true, leader: true });
  }, 60_000);
});
