import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { ApiextensionsV1Api, CoreV1Api, KubeConfig, loadYaml, type V1CustomResourceDefinition } from "@kubernetes/client-node";
import { KubeClient } from "../controller/machine/kube-client.ts";
import { loadKubeconfigFile } from "../controller/machine/kubeconfig.ts";

/**
 * The kube-apiserver from ../shared/envtest, when .ci/run (or a developer) started one and
 * named its kubeconfig in FAILSIGHT_ENVTEST_KUBECONFIG. Deliberately not KUBECONFIG: tests
 * must never act on whatever real cluster a developer's KUBECONFIG points at.
 */
export const envtestKubeconfig = process.env.FAILSIGHT_ENVTEST_KUBECONFIG;
export const NO_ENVTEST = "no API server: start ../shared/envtest and set FAILSIGHT_ENVTEST_KUBECONFIG (.ci/run does both)";

export function envtestConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(envtestKubeconfig!);
  return kc;
}

/** The controller's own client, loaded from the same kubeconfig the way its entry point loads one. */
export function envtestClient(): KubeClient {
  return new KubeClient(loadKubeconfigFile(envtestKubeconfig!).credentials);
}

/** The controller's client as a ServiceAccount, with a token from the TokenRequest API. */
export async function clientAs(admin: KubeConfig, namespace: string, serviceAccount: string): Promise<{ kc: KubeConfig; kube: KubeClient }> {
  const request = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({ name: serviceAccount, namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  const token = request.status!.token;
  const cluster = admin.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: serviceAccount, token }],
    contexts: [{ name: "sa", cluster: cluster.name, user: serviceAccount, namespace }],
    currentContext: "sa",
  });
  const kube = new KubeClient({ server: cluster.server, ...(cluster.caData ? { ca: Buffer.from(cluster.caData, "base64") } : {}), authorization: () => `Bearer ${token}` });
  return { kc, kube };
}

export const CRD_FILE = fileURLToPath(new URL("../../charts/failsight/crds/partitionpolicies.failsight.io.yaml", import.meta.url));
export const UPTIME_CHECK_CRD_FILE = fileURLToPath(new URL("../../charts/failsight/crds/uptimechecks.failsight.io.yaml", import.meta.url));

/** Applies one of the chart's CRDs (create, or replace what an earlier run left) and waits until it is served. */
export async function installCrd(kc: KubeConfig, file = CRD_FILE): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const crd = loadYaml<V1CustomResourceDefinition>(readFileSync(file, "utf8"));
  const name = crd.metadata!.name!;
  try {
    await api.createCustomResourceDefinition({ body: crd });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
    const existing = await api.readCustomResourceDefinition({ name });
    await api.replaceCustomResourceDefinition({ name, body: { ...crd, metadata: { ...crd.metadata, resourceVersion: existing.metadata!.resourceVersion } } });
  }
  await waitFor(async () => {
    const current = await api.readCustomResourceDefinition({ name });
    return current.status?.conditions?.some((c) => c.type === "Established" && c.status === "True");
  }, 20_000, "CRD established");
}

/** A namespace of its own for one test: envtest never finishes deleting them. */
export async function freshNamespace(kc: KubeConfig): Promise<string> {
  const name = `t-${randomUUID().slice(0, 8)}`;
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false | null>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ""}`);
}
