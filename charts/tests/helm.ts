import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadAllYaml } from "@kubernetes/client-node";

export const CHART = fileURLToPath(new URL("../failsight", import.meta.url));
const FETCH = fileURLToPath(new URL("../../scripts/fetch-helm.sh", import.meta.url));

/** A real helm (scripts/fetch-helm.sh caches it), or the reason there is none. */
export const helm: { path?: string; missing?: string } = (() => {
  try {
    return { path: execFileSync("bash", [FETCH], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim() };
  } catch (error) {
    return { missing: `no helm binary: scripts/fetch-helm.sh failed (${(error as Error).message.split("\n")[0]})` };
  }
})();

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [key: string]: unknown };

export function runHelm(args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(helm.path!, args, { encoding: "utf8" });
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** `helm template` of the chart with value files and --set pairs; throws with helm's message on failure. */
export function render(options: { namespace?: string; values?: string[]; set?: string[]; release?: string } = {}): K8sObject[] {
  const args = ["template", options.release ?? "fs", CHART, "--namespace", options.namespace ?? "failsight"];
  // A bare file name is one of the chart's ci/ value files; a path is taken as it is.
  for (const f of options.values ?? []) args.push("-f", f.includes("/") ? f : fileURLToPath(new URL(`../failsight/ci/${f}`, import.meta.url)));
  for (const s of options.set ?? []) args.push("--set", s);
  const result = runHelm(args);
  if (result.status !== 0) throw new Error(result.stderr.trim());
  return (loadAllYaml(result.stdout) as (K8sObject | null)[]).filter((o): o is K8sObject => o !== null);
}

export const find = (objects: K8sObject[], kind: string, name?: string) => objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
export const one = (objects: K8sObject[], kind: string, name: string) => {
  const found = find(objects, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0]!;
};
