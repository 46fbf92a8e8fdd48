import { readFileSync, readdirSync } from "node:fs";
import { loadYaml } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { CHART, find, helm, one, render, runHelm, type K8sObject } from "./helm.ts";
import { validateObject } from "./validate.ts";
import { imageApiCommand, imageApiFlags } from "../../app/test-support/image-node-options.ts";

const suite = describe.skipIf(!helm.path);
if (!helm.path) describe(`helm chart (skipped: ${helm.missing})`, () => it.skip("needs helm", () => {}));

type Container = { name: string; command?: string[]; env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[]; securityContext?: Record<string, unknown>; livenessProbe?: unknown; readinessProbe?: unknown };
type PodSpec = { serviceAccountName: string; containers: Container[]; initContainers?: Container[]; securityContext?: Record<string, unknown>; automountServiceAccountToken?: boolean };
const podSpec = (d: K8sObject) => (d as unknown as { spec: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } } }).spec.template.spec;
const podLabels = (d: K8sObject) => (d as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels;
const selectorOf = (o: K8sObject) => (o as unknown as { spec: { selector: { matchLabels?: Record<string, string> } & Record<string, string> } }).spec.selector;
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const databaseEnv = (c: Container) => c.env?.find((e) => e.name === "DATABASE_URL")?.valueFrom?.secretKeyRef;

const CLUSTER_SCOPED = new Set(["ClusterRole"]);
const COMBINATIONS = [[], ["cnpg-off-external-secret-values.yaml"], ["monitoring-off-values.yaml"], ["minimal-values.yaml"], ["nats-values.yaml"]];

suite("helm chart", () => {
  it.each(COMBINATIONS.map((c) => [c.join(" + ") || "defaults", c] as const))("passes helm lint --strict with %s", (_name, values) => {
    const result = runHelm(["lint", "--strict", CHART, ...values.flatMap((v) => ["-f", `${CHART}/ci/${v}`])]);
    expect(result.stdout + result.stderr).toContain("0 chart(s) failed");
    expect(result.status).toBe(0);
  });

  it.each(COMBINATIONS.map((c) => [c.join(" + ") || "defaults", c] as const))("renders %s into objects that pass their schemas, labelled, with nothing empty", (_name, values) => {
    const objects = render({ values });
    expect(objects.length).toBeGreaterThan(5);
    for (const o of objects) {
      validateObject(o);
      expect(o.metadata.labels?.["app.kubernetes.io/name"], `${o.kind} ${o.metadata.name}`).toBe("failsight");
      expect(o.metadata.labels?.["app.kubernetes.io/instance"]).toBe("fs");
      expect(o.metadata.labels?.["app.kubernetes.io/managed-by"]).toBe("Helm");
      expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(CLUSTER_SCOPED.has(o.kind) ? undefined : "failsight");
      const { apiVersion: _a, kind: _k, metadata: _m, ...body } = o;
      expect(Object.keys(body).length, `${o.kind} ${o.metadata.name} has a body`).toBeGreaterThan(0);
      expect(JSON.stringify(o)).not.toMatch(/<no value>|"null"/);
    }
  });

  it("maintains the roll-ups with a policy of their own, kept as long as the events unless told otherwise", () => {
    const retention = (set: string[]) => {
      const policies = render({ set }).filter((o) => o.kind === "PartitionPolicy") as unknown as { spec: { table: string; retentionMonths?: number } }[];
      return Object.fromEntries(policies.map((p) => [p.spec.table, p.spec.retentionMonths ?? "all"]));
    };
    expect(retention([])).toEqual({ log_events: 12, log_rollups: 12 });
    expect(retention(["partitionPolicy.rollupRetentionMonths=36"])).toEqual({ log_events: 12, log_rollups: 36 });
    expect(retention(["partitionPolicy.retentionMonths=null"])).toEqual({ log_events: "all", log_rollups: "all" });
  });

  it("renders the full install by default, with selectors that find their pods", () => {
    const objects = render();
    const kinds = objects.map((o) => o.kind).sort();
    expect(kinds).toEqual(["Cluster", "ClusterRole", "ClusterRole", "ConfigMap", "ConfigMap", "ConfigMap", "Deployment", "Deployment", "PartitionPolicy", "PartitionPolicy", "Pod", "PodDisruptionBudget", "PodDisruptionBudget", "PrometheusRule", "Role", "RoleBinding", "Secret", "Secret", "Secret", "Secret", "Service", "Service", "ServiceAccount", "ServiceAccount", "ServiceMonitor", "ServiceMonitor"]);
    const api = one(objects, "Deployment", "fs-failsight-api");
    const controller = one(objects, "Deployment", "fs-failsight-controller");
    for (const d of [api, controller]) expect(matches(selectorOf(d).matchLabels!, podLabels(d))).toBe(true);
    expect(matches(selectorOf(api).matchLabels!, podLabels(controller))).toBe(false);

    const apiService = one(objects, "Service", "fs-failsight-api");
    expect(matches(selectorOf(apiService) as Record<string, string>, podLabels(api))).toBe(true);
    expect(matches(selectorOf(one(objects, "Service", "fs-failsight-controller-metrics")) as Record<string, string>, podLabels(controller))).toBe(true);

    for (const [monitor, service] of [["fs-failsight-api", apiService], ["fs-failsight-controller", one(objects, "Service", "fs-failsight-controller-metrics")]] as const) {
      const sm = one(objects, "ServiceMonitor", monitor) as unknown as { metadata: { labels: Record<string, string> }; spec: { selector: { matchLabels: Record<string, string> }; namespaceSelector: { matchNames: string[] }; endpoints: { port: string }[] } };
      expect(matches(sm.spec.selector.matchLabels, service.metadata.labels!)).toBe(true);
      expect(sm.spec.namespaceSelector.matchNames).toEqual(["failsight"]);
      const ports = (service as unknown as { spec: { ports: { name: string }[] } }).spec.ports.map((p) => p.name);
      expect(ports).toContain(sm.spec.endpoints[0]!.port);
      expect(sm.metadata.labels.release).toBe("kube-prometheus-stack");
    }
    for (const pdb of find(objects, "PodDisruptionBudget")) {
      const target = pdb.metadata.name.endsWith("-api") ? api : controller;
      expect(matches(selectorOf(pdb).matchLabels!, podLabels(target))).toBe(true);
    }
  });

  it("migrates and maintains as the CloudNativePG owner, and serves the API as its runtime role", () => {
    const objects = render();
    const cluster = one(objects, "Cluster", "fs-failsight-db") as unknown as {
      spec: { instances: number; bootstrap: { initdb: { database: string; owner: string } }; managed: { roles: { name: string; login: boolean; inRoles?: string[]; passwordSecret?: { name: string } }[] } };
    };
    expect(cluster.spec).toMatchObject({ instances: 2, bootstrap: { initdb: { database: "app", owner: "app" } } });
    expect(cluster.spec.managed.roles).toEqual([
      expect.objectContaining({ name: "failsight_runtime", login: false }),
      expect.objectContaining({ name: "failsight_api", login: true, inRoles: ["failsight_runtime"], passwordSecret: { name: "fs-failsight-db-runtime" } }),
    ]);
    const runtime = one(objects, "Secret", "fs-failsight-db-runtime") as unknown as { type: string; data: Record<string, string> };
    expect(runtime.type).toBe("kubernetes.io/basic-auth");
    expect(Buffer.from(runtime.data.username!, "base64").toString()).toBe("failsight_api");
    for (const d of find(objects, "Deployment")) {
      const spec = podSpec(d);
      for (const c of spec.initContainers ?? []) expect(databaseEnv(c), `${d.metadata.name}/${c.name}`).toEqual({ name: "fs-failsight-db-app", key: "uri" });
      expect(spec.initContainers?.map((c) => c.command)).toEqual([["node", "dist/app/main/migrate.js"]]);
    }
    expect(databaseEnv(podSpec(one(objects, "Deployment", "fs-failsight-controller")).containers[0]!)).toEqual({ name: "fs-failsight-db-app", key: "uri" });
    const api = podSpec(one(objects, "Deployment", "fs-failsight-api")).containers[0]!.env!;
    expect(api.find((e) => e.name === "DATABASE_URL")?.value).toBe("postgresql://failsight_api:$(RUNTIME_DB_PASSWORD)@fs-failsight-db-rw.failsight:5432/app");
    expect(api.find((e) => e.name === "RUNTIME_DB_PASSWORD")?.valueFrom?.secretKeyRef).toEqual({ name: "fs-failsight-db-runtime", key: "password" });
    expect(api.find((e) => e.name === "OWNER_DATABASE_URL")?.valueFrom?.secretKeyRef).toEqual({ name: "fs-failsight-db-app", key: "uri" });
    // Kubernetes expands $(VAR) only from variables defined earlier in the list.
    expect(api.findIndex((e) => e.name === "RUNTIME_DB_PASSWORD")).toBeLessThan(api.findIndex((e) => e.name === "DATABASE_URL"));
  });

  it("turns authentication on by default, with the first admin's key from a Secret it makes", () => {
    const objects = render();
    const secret = one(objects, "Secret", "fs-failsight-admin-key") as unknown as { metadata: { annotations: Record<string, string> }; data: Record<string, string> };
    expect(Buffer.from(secret.data["admin-key"]!, "base64").toString()).toMatch(/^fsk_[a-z0-9]{8}_[A-Za-z0-9]{43}$/);
    expect(secret.metadata.annotations["helm.sh/resource-policy"]).toBe("keep");
    const env = podSpec(one(objects, "Deployment", "fs-failsight-api")).containers[0]!.env!;
    expect(env.find((e) => e.name === "FAILSIGHT_AUTH")?.value).toBe("on");
    expect(env.find((e) => e.name === "FAILSIGHT_ADMIN_KEY")?.valueFrom?.secretKeyRef).toEqual({ name: "fs-failsight-admin-key", key: "admin-key" });
    const own = render({ set: ["auth.adminKeySecret=vault-synced", "auth.adminKeyKey=key"] });
    expect(find(own, "Secret").map((s) => s.metadata.name).sort()).toEqual(["fs-failsight-db-runtime", "fs-failsight-grafana-key", "fs-failsight-loki-datasource"]);
    expect(podSpec(one(own, "Deployment", "fs-failsight-api")).containers[0]!.env!.find((e) => e.name === "FAILSIGHT_ADMIN_KEY")?.valueFrom?.secretKeyRef).toEqual({ name: "vault-synced", key: "key" });
    const off = render({ set: ["auth.enabled=false"] });
    expect(podSpec(one(off, "Deployment", "fs-failsight-api")).containers[0]!.env!.find((e) => e.name === "FAILSIGHT_AUTH")?.value).toBe("off");
  });

  it("provisions Failsight as a Grafana Loki datasource, with a key of its own that the API installs", () => {
    const objects = render();
    const key = Buffer.from((one(objects, "Secret", "fs-failsight-grafana-key") as unknown as { data: Record<string, string> }).data.key!, "base64").toString();
    expect(key).toMatch(/^fsk_[a-z0-9]{8}_[A-Za-z0-9]{43}$/);
    const datasource = one(objects, "Secret", "fs-failsight-loki-datasource") as unknown as { metadata: { labels: Record<string, string> }; stringData: Record<string, string> };
    expect(datasource.metadata.labels.grafana_datasource).toBe("1");
    const provisioned = loadYaml<{ datasources: Record<string, unknown>[] }>(datasource.stringData["failsight-loki.yaml"]!);
    expect(provisioned.datasources[0]).toMatchObject({ uid: "failsight-loki", type: "loki", url: "http://fs-failsight-api.failsight.svc:3000", basicAuth: true, basicAuthUser: "grafana", secureJsonData: { basicAuthPassword: key } });
    const env = podSpec(one(objects, "Deployment", "fs-failsight-api")).containers[0]!.env!;
    expect(env.find((e) => e.name === "FAILSIGHT_GRAFANA_KEY")?.valueFrom?.secretKeyRef).toEqual({ name: "fs-failsight-grafana-key", key: "key" });
    expect(env.find((e) => e.name === "FAILSIGHT_GRAFANA_TEAMS")?.value).toBe("");
    const scoped = render({ set: ["monitoring.lokiDatasource.teams={payments,search}"] });
    expect(podSpec(one(scoped, "Deployment", "fs-failsight-api")).containers[0]!.env!.find((e) => e.name === "FAILSIGHT_GRAFANA_TEAMS")?.value).toBe("payments,search");
    // Without keys there is nothing to send; without the datasource, no key either.
    const open = loadYaml<{ datasources: Record<string, unknown>[] }>((one(render({ set: ["auth.enabled=false"] }), "Secret", "fs-failsight-loki-datasource") as unknown as { stringData: Record<string, string> }).stringData["failsight-loki.yaml"]!);
    expect(open.datasources[0]).not.toHaveProperty("basicAuth");
    // A Secret of the user's (render-only tools): no key in the output, Grafana reads it from its environment.
    const theirs = render({ set: ["monitoring.lokiDatasource.keySecret=my-grafana-key"] });
    expect(find(theirs, "Secret").map((s) => s.metadata.name)).not.toContain("fs-failsight-grafana-key");
    const viaEnv = loadYaml<{ datasources: { secureJsonData: Record<string, string> }[] }>((one(theirs, "Secret", "fs-failsight-loki-datasource") as unknown as { stringData: Record<string, string> }).stringData["failsight-loki.yaml"]!);
    expect(viaEnv.datasources[0]!.secureJsonData.basicAuthPassword).toBe("$FAILSIGHT_GRAFANA_KEY");
    expect(podSpec(one(theirs, "Deployment", "fs-failsight-api")).containers[0]!.env!.find((e) => e.name === "FAILSIGHT_GRAFANA_KEY")?.valueFrom?.secretKeyRef).toEqual({ name: "my-grafana-key", key: "FAILSIGHT_GRAFANA_KEY" });
    const none = render({ set: ["monitoring.lokiDatasource.enabled=false"] });
    expect(find(none, "Secret").map((s) => s.metadata.name)).not.toContain("fs-failsight-grafana-key");
    expect(podSpec(one(none, "Deployment", "fs-failsight-api")).containers[0]!.env!.map((e) => e.name)).not.toContain("FAILSIGHT_GRAFANA_KEY");
  });

  it("provisions a Grafana PostgreSQL datasource that reads as one team, when asked", () => {
    expect(find(render(), "Secret").map((s) => s.metadata.name)).not.toContain("fs-failsight-sql-datasource");
    const objects = render({ set: ["monitoring.sqlDatasource.team=payments"] });
    const cluster = one(objects, "Cluster", "fs-failsight-db") as unknown as { spec: { managed: { roles: { name: string; login: boolean; passwordSecret?: { name: string } }[] } } };
    expect(cluster.spec.managed.roles).toContainEqual(expect.objectContaining({ name: "failsight_grafana", login: true, passwordSecret: { name: "fs-failsight-db-grafana" } }));
    const role = one(objects, "Secret", "fs-failsight-db-grafana") as unknown as { data: Record<string, string> };
    const datasource = one(objects, "Secret", "fs-failsight-sql-datasource") as unknown as { metadata: { labels: Record<string, string> }; stringData: Record<string, string> };
    expect(datasource.metadata.labels.grafana_datasource).toBe("1");
    const provisioned = loadYaml<{ datasources: { type: string; user: string; url: string; jsonData: { database: string }; secureJsonData: { password: string } }[] }>(datasource.stringData["failsight-sql.yaml"]!);
    expect(provisioned.datasources[0]).toMatchObject({ type: "grafana-postgresql-datasource", user: "failsight_grafana", url: "fs-failsight-db-rw.failsight:5432", jsonData: { database: "app" } });
    expect(provisioned.datasources[0]!.secureJsonData.password).toBe(Buffer.from(role.data.password!, "base64").toString());
    for (const d of find(objects, "Deployment")) {
      const migrate = podSpec(d).initContainers![0]!;
      expect(migrate.env!.find((e) => e.name === "SQL_READERS")?.value, d.metadata.name).toBe("failsight_grafana:payments");
    }
  });

  it("takes DATABASE_URL from an existing secret when CloudNativePG is off, and insists on one", () => {
    const objects = render({ values: ["cnpg-off-external-secret-values.yaml"] });
    expect(find(objects, "Cluster")).toHaveLength(0);
    for (const d of find(objects, "Deployment")) expect(databaseEnv(podSpec(d).containers[0]!)).toEqual({ name: "failsight-database", key: "url" });
    expect(() => render({ set: ["cnpg.enabled=false"] })).toThrow(/existingSecret/);
  });

  it("leaves out every prometheus-operator and Grafana object when monitoring is off", () => {
    const kinds = render({ values: ["monitoring-off-values.yaml"] }).map((o) => o.kind);
    expect(kinds).not.toContain("ServiceMonitor");
    expect(kinds).not.toContain("PrometheusRule");
    expect(kinds).not.toContain("ConfigMap");
    expect(kinds).not.toContain("PodMonitor");
  });

  it("gives the controller least privilege and the API none", () => {
    const objects = render();
    const role = one(objects, "Role", "fs-failsight-controller") as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[] };
    const grants = role.rules.flatMap((r) => r.resources.flatMap((res) => r.verbs.map((v) => `${r.apiGroups[0] || "core"}/${res}:${v}${r.resourceNames ? `@${r.resourceNames.join(",")}` : ""}`)));
    expect(grants.sort()).toEqual(
      [
        "failsight.io/partitionpolicies:get", "failsight.io/partitionpolicies:list", "failsight.io/partitionpolicies:watch",
        "failsight.io/partitionpolicies/status:get", "failsight.io/partitionpolicies/status:patch", "failsight.io/partitionpolicies/status:update",
        "failsight.io/uptimechecks:get", "failsight.io/uptimechecks:list", "failsight.io/uptimechecks:watch",
        "failsight.io/uptimechecks/status:get", "failsight.io/uptimechecks/status:patch", "failsight.io/uptimechecks/status:update",
        // An UptimeCheck's headersFrom: Secrets of this namespace only, read one by one (no list, no watch).
        "core/secrets:get",
        "coordination.k8s.io/leases:create", "coordination.k8s.io/leases:get@fs-failsight-controller", "coordination.k8s.io/leases:update@fs-failsight-controller",
        "core/events:create", "core/events:patch",
      ].sort(),
    );
    const binding = one(objects, "RoleBinding", "fs-failsight-controller") as unknown as { roleRef: { name: string }; subjects: { kind: string; name: string; namespace: string }[] };
    expect(binding.roleRef.name).toBe("fs-failsight-controller");
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "fs-failsight-controller", namespace: "failsight" }]);
    const controllerEnv = podSpec(one(objects, "Deployment", "fs-failsight-controller")).containers[0]!.env!;
    expect(controllerEnv.find((e) => e.name === "LEASE_NAME")?.value).toBe("fs-failsight-controller");
    const api = podSpec(one(objects, "Deployment", "fs-failsight-api"));
    expect(api.serviceAccountName).toBe("fs-failsight-api");
    expect(api.automountServiceAccountToken).toBe(false);
  });

  it("points at the published image by default, and a local build at its own tag", () => {
    const image = (objects: K8sObject[]) => podSpec(one(objects, "Deployment", "fs-failsight-api")).containers[0] as unknown as { image: string; imagePullPolicy: string };
    const chart = loadYaml<{ appVersion: string }>(readFileSync(`${CHART}/Chart.yaml`, "utf8"));
    expect(image(render())).toEqual(expect.objectContaining({ image: `ghcr.io/failsight/failsight:${chart.appVersion}`, imagePullPolicy: "IfNotPresent" }));
    const kind = render({ values: [new URL("../../k8s/failsight-kind-values.yaml", import.meta.url).pathname] });
    expect(image(kind)).toEqual(expect.objectContaining({ image: "failsight:dev", imagePullPolicy: "Never" }));
  });

  it("runs the API with the image's own command line, heap flags included", () => {
    // Node refuses some V8 flags in NODE_OPTIONS; those are on the image's CMD, which the
    // chart's command replaces, so the two must say the same.
    const api = podSpec(one(render(), "Deployment", "fs-failsight-api")).containers[0]!;
    expect(api.command).toEqual(imageApiCommand());
    expect(imageApiFlags()).toContain("--initial-old-space-size=48");
  });

  it("scopes each release's controller to the policies labelled with its release, with probes that do not restart it for an API-server outage", () => {
    for (const release of ["fs", "other"]) {
      const objects = render({ release });
      const controller = podSpec(one(objects, "Deployment", `${release}-failsight-controller`)).containers[0]!;
      const env = Object.fromEntries(controller.env!.map((e) => [e.name, e.value]));
      expect(env.CONTROLLER_SELECTOR).toBe(`failsight.io/release=${release}`);
      expect(env.CONTROLLER_HOST).toBe("0.0.0.0");
      const [key, value] = env.CONTROLLER_SELECTOR!.split("=");
      const policies = find(objects, "PartitionPolicy");
      expect(policies).toHaveLength(2);
      for (const p of policies) expect(p.metadata.labels?.[key!]).toBe(value);
      expect(controller.livenessProbe).toMatchObject({ httpGet: { path: "/healthz", port: "metrics" } });
      expect(controller.readinessProbe).toMatchObject({ httpGet: { path: "/readyz", port: "metrics" } });
    }
    const resources = (podSpec(one(render(), "Deployment", "fs-failsight-controller")).containers[0] as unknown as { resources: { limits: { memory: string } } }).resources;
    expect(resources.limits.memory).toBe("128Mi");
  });

  it("adds PartitionPolicies to the built-in view, edit and admin roles, named per namespace and release", () => {
    const roles = find(render({ namespace: "team-a" }), "ClusterRole") as unknown as { metadata: { name: string; labels: Record<string, string> }; rules: { resources: string[]; verbs: string[] }[] }[];
    const byName = Object.fromEntries(roles.map((r) => [r.metadata.name, r]));
    const view = byName["team-a-fs-failsight-partitionpolicies-view"]!;
    const edit = byName["team-a-fs-failsight-partitionpolicies-edit"]!;
    expect(view.metadata.labels["rbac.authorization.k8s.io/aggregate-to-view"]).toBe("true");
    expect(view.rules.flatMap((r) => r.verbs).sort()).toEqual(["get", "list", "watch"]);
    expect(edit.metadata.labels).toMatchObject({ "rbac.authorization.k8s.io/aggregate-to-edit": "true", "rbac.authorization.k8s.io/aggregate-to-admin": "true" });
    expect(edit.rules[0]!.verbs).toEqual(expect.arrayContaining(["create", "update", "patch", "delete"]));
    expect(find(render({ set: ["rbac.aggregateToDefaultRoles=false"] }), "ClusterRole")).toEqual([]);
  });

  it("renders the same objects every time for render-only tools when the Secrets are the user's", () => {
    const set = ["auth.adminKeySecret=my-admin", "cnpg.runtimeSecret=my-runtime", "monitoring.lokiDatasource.keySecret=my-grafana-key"];
    const first = render({ set });
    expect(JSON.stringify(render({ set }))).toBe(JSON.stringify(first));
    // Only the datasource's provisioning file, which holds no secret of its own.
    expect(find(first, "Secret").map((s) => s.metadata.name)).toEqual(["fs-failsight-loki-datasource"]);
    const api = podSpec(one(first, "Deployment", "fs-failsight-api")).containers[0]!;
    const refs = Object.fromEntries(api.env!.filter((e) => e.valueFrom?.secretKeyRef).map((e) => [e.name, e.valueFrom!.secretKeyRef!.name]));
    expect(refs).toMatchObject({ RUNTIME_DB_PASSWORD: "my-runtime", FAILSIGHT_ADMIN_KEY: "my-admin", METRICS_TOKEN: "my-admin" });
    const cluster = one(first, "Cluster", "fs-failsight-db") as unknown as { spec: { managed: { roles: { name: string; passwordSecret: { name: string } }[] } } };
    expect(cluster.spec.managed.roles.find((r) => r.name === "failsight_api")?.passwordSecret.name).toBe("my-runtime");
  });

  it("ships a helm test that checks readiness, ingests with the admin key and reads it back", () => {
    const pod = one(render(), "Pod", "fs-failsight-smoke-test") as unknown as { metadata: { annotations: Record<string, string> }; spec: PodSpec & { restartPolicy: string } };
    expect(pod.metadata.annotations["helm.sh/hook"]).toBe("test");
    expect(pod.spec.restartPolicy).toBe("Never");
    const container = pod.spec.containers[0]!;
    expect(container.command).toEqual(["node", "dist/app/main/smoke-test.js"]);
    const env = Object.fromEntries(container.env!.map((e) => [e.name, e]));
    expect(env.FAILSIGHT_URL!.value).toBe("http://fs-failsight-api.failsight.svc:3000");
    expect(env.FAILSIGHT_KEY!.valueFrom?.secretKeyRef).toEqual({ name: "fs-failsight-admin-key", key: "admin-key" });
    expect(find(render({ set: ["tests.enabled=false"] }), "Pod")).toEqual([]);
  });

  it("runs every container non-root, read-only, without privilege escalation or capabilities, with probes", () => {
    for (const d of find(render(), "Deployment")) {
      const spec = podSpec(d);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
      }
      expect(spec.containers[0]!.livenessProbe).toBeDefined();
    }
    const api = podSpec(one(render(), "Deployment", "fs-failsight-api")).containers[0]!;
    expect(api.livenessProbe).toMatchObject({ httpGet: { path: "/health" } });
    expect(api.readinessProbe).toMatchObject({ httpGet: { path: "/ready" } });
  });

  it("takes the rules and dashboards from the chart's files, one source of truth", () => {
    const objects = render();
    const rule = one(objects, "PrometheusRule", "fs-failsight") as unknown as { spec: unknown };
    expect(rule.spec).toEqual(loadYaml(readFileSync(`${CHART}/files/prometheus-rules.yaml`, "utf8")));
    const dashboards = readdirSync(`${CHART}/files/dashboards`);
    const maps = find(objects, "ConfigMap");
    expect(maps).toHaveLength(dashboards.length);
    for (const file of dashboards) {
      const map = maps.find((m) => (m as unknown as { data: Record<string, string> }).data[file]) as unknown as { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; data: Record<string, string> };
      expect(JSON.parse(map.data[file]!)).toEqual(JSON.parse(readFileSync(`${CHART}/files/dashboards/${file}`, "utf8")));
      expect(map.metadata.labels.grafana_dashboard).toBe("1");
      expect(map.metadata.annotations.grafana_folder).toBe("Failsight");
    }
    const relabelled = render({ set: ["monitoring.grafanaDashboards.label=dash", "monitoring.labels.release=prom"] });
    expect(find(relabelled, "ConfigMap")[0]!.metadata.labels!.dash).toBe("1");
    expect(find(relabelled, "PrometheusRule")[0]!.metadata.labels!.release).toBe("prom");
  });

  it.each([
    ["an unknown top-level value", ["replicaz=3"], /replicaz/],
    ["a negative replica count", ["api.replicas=-1"], /api.*replicas|minimum/],
    ["an unknown retention mode", ["partitionPolicy.retentionMode=archive"], /retentionMode/],
    ["a malformed interval", ["partitionPolicy.interval=hourly"], /interval/],
    ["a node port out of range", ["api.service.type=NodePort", "api.service.nodePort=80"], /nodePort/],
  ])("values.schema.json rejects %s with a message naming it", (_name, set, message) => {
    const result = runHelm(["template", "fs", CHART, ...set.flatMap((s) => ["--set", s])]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });
});

describe("schema validation of rendered objects", () => {
  it("fails on a wrong type or a kind it has no schema for", () => {
    const broken = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { replicas: "two", selector: {}, template: {} } };
    expect(() => validateObject(broken as never)).toThrow(/replicas must be integer/);
    expect(() => validateObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } })).toThrow(/no schema known/);
  });
});

describe("defaults declared once", () => {
  // The chart and the CRD are YAML and cannot import the code's defaults; they are held to them here.
  it("the chart's PartitionPolicy values and the CRD's schema defaults are the code's", async () => {
    const { PARTITION_DEFAULTS } = await import("../../app/partitions/policy.ts");
    const values = loadYaml<{ partitionPolicy: Record<string, unknown> }>(readFileSync(`${CHART}/values.yaml`, "utf8"));
    const { create: _create, rollupRetentionMonths: _rollups, ...chart } = values.partitionPolicy;
    const { table: _table, ...policyDefaults } = PARTITION_DEFAULTS;
    expect(chart).toEqual(policyDefaults);
    const crd = loadYaml<{ spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, { _default?: unknown }> } } } } }[] } }>(
      readFileSync(`${CHART}/crds/partitionpolicies.failsight.io.yaml`, "utf8"),
    );
    const props = crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties;
    // loadYaml reads a CRD into client-node's model, which keeps `default` as `_default`.
    const crdDefaults = Object.fromEntries(Object.entries(props).flatMap(([k, v]) => (v._default === undefined ? [] : [[k, v._default]])));
    // retentionMonths has no CRD default: leaving it out must mean "keep everything" to the API server.
    const { retentionMonths: _retention, ...rest } = PARTITION_DEFAULTS;
    expect(crdDefaults).toEqual(rest);
  });
});
