import { ApiextensionsV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startController, type Controller } from "../../app/controller/start.ts";
import { GROUP, PLURAL, VERSION, type PolicyObject } from "../../app/controller/partition-policy/resource.ts";
import { createDb } from "../../app/db/client.ts";
import { NO_ENVTEST, clientAs, envtestConfig, envtestKubeconfig, freshNamespace, installCrd, waitFor } from "../../app/test-support/envtest.ts";
import { maintenanceDatabase } from "../../app/test-support/maintenance-database.ts";
import { helm, one, render, type K8sObject } from "./helm.ts";

// The chart's Kubernetes objects against a real kube-apiserver (../shared/envtest, started
// with ENVTEST_AUTHZ=RBAC by .ci/run): the CRD's schema judges the PartitionPolicy, and the
// controller runs as the chart's ServiceAccount with exactly the chart's Role.
const ready = Boolean(envtestKubeconfig && helm.path);
const suite = describe.skipIf(!ready);
if (!ready) describe(`chart on a kube-apiserver (skipped: ${!helm.path ? helm.missing : NO_ENVTEST})`, () => it.skip("needs helm and a kube-apiserver", () => {}));

const { sql } = createDb(inject("databaseUrl"), { max: 4, applicationName: "failsight-chart-test" });
const controllers: Controller[] = [];
afterAll(async () => {
  await Promise.all(controllers.map((c) => c.stop()));
  await sql.end({ timeout: 5 });
});

let admin: KubeConfig;

/** Creates rendered objects as the admin, in the namespace they were rendered for. */
async function apply(objects: K8sObject[]) {
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  for (const o of objects) {
    const namespace = o.metadata.namespace ?? "";
    if (o.kind === "ServiceAccount") await core.createNamespacedServiceAccount({ namespace, body: o as never });
    else if (o.kind === "Role") await rbac.createNamespacedRole({ namespace, body: o as never });
    else if (o.kind === "RoleBinding") await rbac.createNamespacedRoleBinding({ namespace, body: o as never });
    else if (o.kind === "ClusterRole") await rbac.createClusterRole({ body: o as never });
    else throw new Error(`apply: ${o.kind} not handled`);
  }
}

suite("chart on a kube-apiserver", () => {
  beforeAll(async () => {
    admin = envtestConfig();
    await installCrd(admin);
  });

  it("serves the CRD with its printer columns, and its schema accepts the rendered policy and refuses a bad one", async () => {
    const crd = await admin.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: "partitionpolicies.failsight.io" });
    expect(crd.spec.versions[0]!.subresources?.status).toBeDefined();
    const namespace = await freshNamespace(admin);
    const policy = one(render({ namespace }), "PartitionPolicy", "fs-failsight-log-events");
    const objects = admin.makeApiClient(CustomObjectsApi);
    const created = (await objects.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, body: policy })) as PolicyObject;
    expect(created.spec).toEqual({ table: "log_events", premakeMonths: 3, retentionMonths: 12, retentionMode: "detach", interval: "1h" });
    const bad = { ...policy, metadata: { name: "bad" }, spec: { premakeMonths: 0, retentionMode: "archive" } };
    await expect(objects.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, body: bad })).rejects.toThrow(/premakeMonths|retentionMode/);
  });

  it("runs the controller as the chart's ServiceAccount with exactly the chart's Role", async () => {
    const namespace = await freshNamespace(admin);
    const rendered = render({ namespace });
    await apply([one(rendered, "ServiceAccount", "fs-failsight-controller"), one(rendered, "Role", "fs-failsight-controller"), one(rendered, "RoleBinding", "fs-failsight-controller"), one(rendered, "ServiceAccount", "fs-failsight-api")]);
    const asController = await clientAs(admin, namespace, "fs-failsight-controller");

    // RBAC is really enforced: the API's ServiceAccount, bound to nothing, may not even list.
    const asApi = (await clientAs(admin, namespace, "fs-failsight-api")).kc;
    await expect(asApi.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL })).rejects.toMatchObject({ code: 403 });

    const db = await maintenanceDatabase();
    const table = "log_events";
    const controller = startController({
      kube: asController.kube,
      sql: db.pool,
      namespace,
      identity: "fs-failsight-controller-0",
      registry: new Registry(),
      lease: { name: "fs-failsight-controller", leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 },
    });
    controllers.push(controller);
    await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, body: { apiVersion: `${GROUP}/${VERSION}`, kind: "PartitionPolicy", metadata: { name: "logs" }, spec: { table, premakeMonths: 1 } } });

    const done = await waitFor(async () => {
      const p = (await admin.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name: "logs" })) as PolicyObject;
      return p.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True") && p;
    }, 20_000, "Ready=True written by the controller's ServiceAccount");
    expect(done.status?.monthsAhead).toBe(1);
    expect(await db.attachedPartitions()).toHaveLength(3);
    const lease = await admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: "fs-failsight-controller", namespace });
    expect(lease.spec?.holderIdentity).toBe("fs-failsight-controller-0");
    await waitFor(async () => {
      const events = await admin.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace });
      return events.items.some((e) => e.reason === "PartitionCreated" && e.involvedObject.name === "logs");
    }, 10_000, "events written by the controller's ServiceAccount");
  });

  it("aggregates PartitionPolicies into the API server's own view, edit and admin roles, and they grant what they say", async () => {
    const namespace = await freshNamespace(admin);
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    const rendered = render({ namespace });
    const roles = rendered.filter((o) => o.kind === "ClusterRole");
    await apply(roles);
    // The built-in roles as this API server bootstrapped them: their aggregation selectors
    // must pick ours up (the controller-manager, which envtest does not run, copies the rules).
    for (const [builtIn, suffix] of [["view", "view"], ["edit", "edit"], ["admin", "edit"]] as const) {
      const selectors = (await rbac.readClusterRole({ name: builtIn })).aggregationRule!.clusterRoleSelectors!;
      const ours = roles.find((r) => r.metadata.name.endsWith(`-partitionpolicies-${suffix}`))!;
      expect(selectors.some((sel) => Object.entries(sel.matchLabels ?? {}).every(([k, v]) => ours.metadata.labels?.[k] === v)), `${builtIn} aggregates ${ours.metadata.name}`).toBe(true);
    }
    // What each grants, as a ServiceAccount bound to it in one namespace.
    const core = admin.makeApiClient(CoreV1Api);
    const policy = { apiVersion: `${GROUP}/${VERSION}`, kind: "PartitionPolicy", metadata: { name: "mine" }, spec: { table: "log_events" } };
    for (const suffix of ["view", "edit"]) {
      const name = `${suffix}-user`;
      await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
      await rbac.createNamespacedRoleBinding({ namespace, body: { metadata: { name }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roles.find((r) => r.metadata.name.endsWith(`-${suffix}`))!.metadata.name }, subjects: [{ kind: "ServiceAccount", name, namespace }] } });
    }
    const viewer = (await clientAs(admin, namespace, "view-user")).kc.makeApiClient(CustomObjectsApi);
    const editor = (await clientAs(admin, namespace, "edit-user")).kc.makeApiClient(CustomObjectsApi);
    const list = { group: GROUP, version: VERSION, namespace, plural: PLURAL };
    await waitFor(async () => (await viewer.listNamespacedCustomObject(list)) as object, 10_000, "the viewer may list");
    await expect(viewer.createNamespacedCustomObject({ ...list, body: policy })).rejects.toMatchObject({ code: 403 });
    await editor.createNamespacedCustomObject({ ...list, body: policy });
    await editor.deleteNamespacedCustomObject({ ...list, name: "mine" });
    await rbac.deleteClusterRole({ name: roles[0]!.metadata.name });
    await rbac.deleteClusterRole({ name: roles[1]!.metadata.name });
  });
});
