import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDb } from "../../db/client.ts";
import { NO_ENVTEST, UPTIME_CHECK_CRD_FILE, envtestClient, envtestConfig, envtestKubeconfig, freshNamespace, installCrd, waitFor } from "../../test-support/envtest.ts";
import { unique } from "../../test-support/harness.ts";
import { startController, type Controller } from "../start.ts";
import { startManager } from "../machine/manager.ts";
import { UPTIME_CHECK_KIND, type UptimeCheckObject } from "./resource.ts";

// UptimeChecks on a real kube-apiserver (../shared/envtest) with two controller replicas
// sharing one Lease, probing a real HTTP server this file runs, on the run's real
// PostgreSQL: only the leader probes, status and Events follow the target, a Secret's
// headers are sent, and a deleted object's check goes with it.
const suite = describe.skipIf(!envtestKubeconfig);
if (!envtestKubeconfig) describe(`uptime check controller (skipped: ${NO_ENVTEST})`, () => it.skip("needs a kube-apiserver", () => {}));

const { sql } = createDb(inject("databaseUrl"), { max: 6, applicationName: "failsight-uptime-controller-test", systemScope: true });
const controllers: Controller[] = [];
afterAll(async () => {
  await Promise.all(controllers.map((c) => c.stop()));
  await sql.end({ timeout: 5 });
});

const { group, version, plural } = UPTIME_CHECK_KIND;
let kc: KubeConfig;
let objects: CustomObjectsApi;
let mode: "ok" | "error" = "ok";
let web: Server;
let port = 0;
const seenTokens: (string | undefined)[] = [];

suite("UptimeCheck controller against a real kube-apiserver", () => {
  beforeAll(async () => {
    kc = envtestConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    await installCrd(kc);
    await installCrd(kc, UPTIME_CHECK_CRD_FILE);
    web = createServer((req, res) => {
      seenTokens.push(req.headers.authorization);
      if (req.headers.authorization !== "Bearer s3cret") return res.writeHead(401).end();
      res.writeHead(mode === "ok" ? 200 : 503).end(mode);
    });
    await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
    port = (web.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => web?.close(resolve)));

  const get = async (namespace: string, name: string) => (await objects.getNamespacedCustomObject({ group, version, namespace, plural, name })) as UptimeCheckObject;
  const condition = (o: UptimeCheckObject, type: string) => o.status?.conditions?.find((c) => c.type === type);

  it("probes from the leader only, follows the target in status and Events, and cleans up after a delete", async () => {
    const namespace = await freshNamespace(kc);
    const service = unique("uc-web");
    const lease = { name: "uptime-lease", leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 };
    for (const identity of ["replica-a", "replica-b"]) {
      controllers.push(startController({ kube: envtestClient(), sql, namespace, identity, registry: new Registry(), lease }));
    }
    // The leader of another namespace, on the same database: it must leave this namespace's checks alone.
    const elsewhere = startController({ kube: envtestClient(), sql, namespace: await freshNamespace(kc), identity: "elsewhere", registry: new Registry(), lease });
    controllers.push(elsewhere);
    await waitFor(async () => elsewhere.isLeader(), 10_000, "the other namespace's leader");
    await kc.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace, body: { metadata: { name: "web-token" }, stringData: { authorization: "Bearer s3cret" } } });
    await objects.createNamespacedCustomObject({
      group, version, namespace, plural,
      body: { apiVersion: `${group}/${version}`, kind: "UptimeCheck", metadata: { name: "web" }, spec: { service, interval: "1s", timeout: "500ms", http: { url: `http://127.0.0.1:${port}/healthz`, headersFrom: { secretName: "web-token" } } } },
    });

    const passing = await waitFor(async () => {
      const o = await get(namespace, "web");
      return condition(o, "Available")?.status === "True" && o;
    }, 20_000, "Available=True");
    expect(passing.status).toMatchObject({ checkName: `k8s/${namespace}/web`, lastResult: { outcome: "pass", latencyMs: expect.any(Number) }, conditions: expect.arrayContaining([expect.objectContaining({ type: "Ready", status: "True" })]) });
    expect(seenTokens.every((t) => t === "Bearer s3cret")).toBe(true);

    mode = "error";
    const failing = await waitFor(async () => {
      const o = await get(namespace, "web");
      return condition(o, "Available")?.status === "False" && o;
    }, 20_000, "Available=False");
    expect(failing.status!.lastResult).toMatchObject({ outcome: "fail", errorCode: "UNEXPECTED_STATUS" });
    expect(condition(failing, "Available")).toMatchObject({ reason: "Failing", message: expect.stringMatching(/^UNEXPECTED_STATUS: answered 503/) });
    const events = await waitFor(async () => {
      const list = (await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace })).items.filter((e) => e.involvedObject.name === "web");
      return list.some((e) => e.reason === "CheckFailing") && list;
    }, 10_000, "a CheckFailing event");
    expect(events.map((e) => e.reason)).toEqual(expect.arrayContaining(["CheckPassing", "CheckFailing"]));

    // Every result was probed by one replica: the leader.
    const leader = controllers.slice(0, 2).find((c) => c.isLeader());
    expect(leader).toBeDefined();
    const probers = await sql<{ prober: string }[]>`
      SELECT DISTINCT e.attributes->>'prober' AS prober FROM log_events e JOIN services s ON s.id = e.service_id WHERE s.name = ${service}`;
    expect(probers.map((p) => p.prober)).toEqual([controllers.indexOf(leader!) === 0 ? "replica-a" : "replica-b"]);
    expect((await sql`SELECT source FROM checks WHERE name = ${`k8s/${namespace}/web`}`)[0]).toEqual({ source: "kubernetes" });

    await objects.deleteNamespacedCustomObject({ group, version, namespace, plural, name: "web" });
    await waitFor(async () => (await sql`SELECT 1 FROM checks WHERE name = ${`k8s/${namespace}/web`}`).length === 0, 10_000, "the check deleted");
    mode = "ok";
  });

  it("says what is wrong with a spec the API server accepts but Failsight cannot probe", async () => {
    const namespace = await freshNamespace(kc);
    controllers.push(startController({ kube: envtestClient(), sql, namespace, identity: "solo", registry: new Registry(), lease: { name: "solo-uptime", leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 } }));
    await objects.createNamespacedCustomObject({
      group, version, namespace, plural,
      body: { apiVersion: `${group}/${version}`, kind: "UptimeCheck", metadata: { name: "ftp" }, spec: { service: unique("uc-ftp"), http: { url: "ftp://files.example.com/" } } },
    });
    const refused = await waitFor(async () => {
      const o = await get(namespace, "ftp");
      return condition(o, "Ready")?.status === "False" && o;
    }, 20_000, "Ready=False");
    expect(condition(refused, "Ready")).toMatchObject({ reason: "InvalidSpec", message: expect.stringMatching(/^spec\.http\.url: /) });
    await objects.createNamespacedCustomObject({
      group, version, namespace, plural,
      body: { apiVersion: `${group}/${version}`, kind: "UptimeCheck", metadata: { name: "no-secret" }, spec: { service: unique("uc-x"), http: { url: "http://127.0.0.1:9/", headersFrom: { secretName: "missing" } } } },
    });
    const missing = await waitFor(async () => {
      const o = await get(namespace, "no-secret");
      return condition(o, "Ready")?.status === "False" && o;
    }, 20_000, "Ready=False for a missing Secret");
    expect(condition(missing, "Ready")).toMatchObject({ reason: "SecretUnavailable", message: "Secret missing not found" });
  });

  // Helm installs crds/ on install only: a release upgraded to a chart with a new kind runs
  // a controller whose new kind is not served until someone applies its CRD. The kinds that
  // are must keep it ready (a controller that never got ready blocked the upgrade's rollout,
  // and, in CI, the partition tests on an API server without the UptimeCheck CRD).
  it("is ready while an optional kind has no CRD, and not while a required one has none", async () => {
    const namespace = await freshNamespace(kc);
    const missing = { group, version, plural: "notinstalleds", kind: "NotInstalled" };
    const spec = (optional: boolean) => ({ kind: missing, component: "test", optional, syncHandler: async () => ({}) });
    const served = { kind: UPTIME_CHECK_KIND, component: "test", syncHandler: async () => ({}) };
    const lease = (name: string) => ({ name, leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 });
    const optional = startManager({ kube: envtestClient(), namespace, identity: "a", registry: new Registry(), lease: lease("optional") }, [served, spec(true)]);
    const required = startManager({ kube: envtestClient(), namespace, identity: "b", registry: new Registry(), lease: lease("required") }, [served, spec(false)]);
    try {
      await waitFor(async () => optional.readiness().ready, 10_000, "ready with an optional kind not served");
      await waitFor(async () => required.readiness().leaderKnown, 10_000, "a leader");
      expect(required.readiness()).toMatchObject({ ready: false, watching: false });
    } finally {
      await optional.stop();
      await required.stop();
    }
  });
});
