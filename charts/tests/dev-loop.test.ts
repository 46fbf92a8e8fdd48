import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadAllYaml, loadYaml } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { helm, one, render } from "./helm.ts";
import { validateObject } from "./validate.ts";

// kind-config.yaml, k8s/ and skaffold.yaml cannot be run here (no Docker, no cluster), so
// they are checked for agreeing with each other and with the chart.
const repo = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const yaml = <T>(p: string) => loadYaml<T>(readFileSync(repo(p), "utf8"));

type Skaffold = {
  apiVersion: string;
  build: { artifacts: { image: string; docker: { dockerfile: string } }[] };
  deploy: { helm: { releases: { name: string; chartPath: string; namespace: string; valuesFiles: string[]; setValueTemplates: Record<string, string> }[] } };
  portForward: { resourceType: string; resourceName: string; namespace: string; port: number; localPort: number }[];
};
type Kind = { kind: string; nodes: { extraPortMappings: { containerPort: number; hostPort: number }[] }[] };

const suite = describe.skipIf(!helm.path);
if (!helm.path) describe(`kind and skaffold dev loop (skipped: ${helm.missing})`, () => it.skip("needs helm", () => {}));

suite("kind and skaffold dev loop", () => {
  const skaffold = yaml<Skaffold>("skaffold.yaml");
  const release = skaffold.deploy.helm.releases[0]!;

  it("skaffold uses the current schema, builds the Dockerfile and deploys the chart with files that exist", () => {
    expect(skaffold.apiVersion).toBe("skaffold/v4beta14");
    expect(existsSync(repo(skaffold.build.artifacts[0]!.docker.dockerfile))).toBe(true);
    expect(existsSync(repo(`${release.chartPath}/Chart.yaml`))).toBe(true);
    for (const f of release.valuesFiles) expect(existsSync(repo(f)), f).toBe(true);
    expect(release.setValueTemplates["image.repository"]).toBe(`{{.IMAGE_REPO_${skaffold.build.artifacts[0]!.image}}}`);
  });

  it("port-forwards a Service the chart renders under skaffold's release name, on 3000, 9090 and 3001", () => {
    expect(skaffold.portForward.map((p) => p.localPort)).toEqual([3000, 9090, 3001]);
    const objects = render({ release: release.name, namespace: release.namespace, values: release.valuesFiles.map(repo) });
    const api = skaffold.portForward.find((p) => p.namespace === release.namespace)!;
    const service = one(objects, "Service", api.resourceName) as unknown as { spec: { ports: { port: number }[] } };
    expect(service.spec.ports.map((p) => p.port)).toContain(api.port);
    for (const o of objects) validateObject(o);
  });

  it("maps every NodePort the kind values use to the same host port in kind-config.yaml", () => {
    const kind = yaml<Kind>("kind-config.yaml");
    const mapped = new Map(kind.nodes.flatMap((n) => n.extraPortMappings.map((m) => [m.containerPort, m.hostPort] as const)));
    const failsight = render({ values: [repo("k8s/failsight-kind-values.yaml")] });
    const apiPort = (one(failsight, "Service", "fs-failsight-api") as unknown as { spec: { ports: { nodePort: number }[] } }).spec.ports[0]!.nodePort;
    const stack = yaml<{ prometheus: { service: { nodePort: number } }; grafana: { service: { nodePort: number } } }>("k8s/kube-prometheus-stack-values.yaml");
    for (const port of [apiPort, stack.prometheus.service.nodePort, stack.grafana.service.nodePort]) expect(mapped.get(port), `NodePort ${port}`).toBe(port);
    expect(skaffold.portForward.map((p) => p.localPort).some((p) => mapped.has(p) || [...mapped.values()].includes(p))).toBe(false);
  });

  it("matches the Grafana sidecar and Prometheus selectors the kube-prometheus-stack values set up", () => {
    const stack = yaml<{ grafana: { sidecar: { dashboards: { label: string; labelValue: string; folderAnnotation: string } } } }>("k8s/kube-prometheus-stack-values.yaml");
    const objects = render({ values: [repo("k8s/failsight-kind-values.yaml")] });
    const dashboard = objects.find((o) => o.kind === "ConfigMap")!;
    const { label, labelValue, folderAnnotation } = stack.grafana.sidecar.dashboards;
    expect(dashboard.metadata.labels![label]).toBe(labelValue);
    expect(dashboard.metadata.annotations![folderAnnotation]).toBeTruthy();
    expect(objects.find((o) => o.kind === "PrometheusRule")!.metadata.labels!.release).toBe("kube-prometheus-stack");
    expect(loadAllYaml(readFileSync(repo("k8s/kube-prometheus-stack-values.yaml"), "utf8"))).toHaveLength(1);
  });
});
