// Benchmark, not a test: `npm run bench:controller` (after `npm run build`). The compiled
// controller's resident memory (RSS) as its own process, as the image runs it (NODE_OPTIONS
// from the Dockerfile), leading and reconciling PartitionPolicies on a real kube-apiserver
// (../shared/envtest; FAILSIGHT_ENVTEST_KUBECONFIG names its kubeconfig) and a real
// PostgreSQL (the embedded one, or DATABASE_URL, a superuser URL). Samples /proc/<pid>/status
// every second: RSS once started, steady (the median of the second half) and the peak.
// A third of the way in, the API server goes away for OUTAGE_SECONDS (the controller
// reaches it through a relay this script cuts and restores), and the probes are read
// during and after it.
//   CONTROLLER_ENTRY=<path to a controller.js>  measures another build (an older commit's).
//   SECONDS=120 POLICIES=5                      how long, and how many policies (one owns
//                                               log_events, the others are refused).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { parse, stringify } from "yaml";
import { processRssMiB } from "./lib/proc.ts";
import { createDb } from "../app/db/client.ts";
import { startEmbeddedPostgres } from "../app/db/embedded.ts";
import { runMigrations } from "../app/db/migrate.ts";
import { createProductionLikeDatabase } from "../app/db/roles.ts";
import { envtestClient, envtestConfig, envtestKubeconfig, installCrd } from "../app/test-support/envtest.ts";
import { freePort } from "../app/test-support/free-port.ts";
import { tcpRelay } from "../app/test-support/tcp-relay.ts";
import { imageNodeOptions } from "../app/test-support/image-node-options.ts";

const SECONDS = Number(process.env.SECONDS ?? 120);
const OUTAGE_SECONDS = Number(process.env.OUTAGE_SECONDS ?? 30);
const POLICIES = Number(process.env.POLICIES ?? 5);
const entry = process.env.CONTROLLER_ENTRY ?? fileURLToPath(new URL("../dist/app/main/controller.js", import.meta.url));
if (!envtestKubeconfig) throw new Error("FAILSIGHT_ENVTEST_KUBECONFIG: start ../shared/envtest and name its kubeconfig");

const embedded = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dataDir: path.join(mkdtempSync(path.join(tmpdir(), "failsight-bench-")), "pgdata"), port: await freePort(), persistent: false });
const adminUrl = process.env.DATABASE_URL ?? embedded!.url;
const dbName = `failsight_ctlbench_${Date.now().toString(36)}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
const { ownerUrl } = await createProductionLikeDatabase(admin, adminUrl, dbName, "bench");
const owner = createDb(ownerUrl, { max: 2, applicationName: "failsight-bench-migrate" }).sql;
await runMigrations(owner);
await owner.end();

// The chart installs the CRD; a fresh envtest has none (the tests install it themselves).
await installCrd(envtestConfig());
const kube = envtestClient();
const namespace = `ctlbench-${Date.now().toString(36)}`;
await kube.post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
for (let i = 0; i < POLICIES; i++) {
  await kube.post(`/apis/failsight.io/v1alpha1/namespaces/${namespace}/partitionpolicies`, {
    apiVersion: "failsight.io/v1alpha1",
    kind: "PartitionPolicy",
    metadata: { name: `logs-${i}`, labels: { "failsight.io/release": "bench" } },
    spec: { table: "log_events", premakeMonths: 3, interval: "10s" },
  });
}

// The relay: the controller's only way to the API server.
const upstream = new URL(parse(readFileSync(envtestKubeconfig, "utf8")).clusters[0].cluster.server);
const relay = tcpRelay({ host: upstream.hostname, port: Number(upstream.port) }, await freePort());
await relay.open();
const kubeconfig = parse(readFileSync(envtestKubeconfig, "utf8"));
kubeconfig.clusters[0].cluster.server = `https://127.0.0.1:${relay.port}`;
const kubeconfigFile = path.join(mkdtempSync(path.join(tmpdir(), "failsight-bench-")), "kubeconfig");
writeFileSync(kubeconfigFile, stringify(kubeconfig));

const port = await freePort();
const controller = spawn(process.execPath, [entry], {
  env: {
    PATH: process.env.PATH,
    NODE_OPTIONS: imageNodeOptions(),
    DATABASE_URL: ownerUrl,
    KUBECONFIG: kubeconfigFile,
    CONTROLLER_NAMESPACE: namespace,
    CONTROLLER_SELECTOR: "failsight.io/release=bench",
    CONTROLLER_PORT: String(port),
    LOG_LEVEL: "warn",
  },
  stdio: ["ignore", "inherit", "inherit"],
});
const fmt = (n: number) => n.toFixed(1);
const rssMiB = () => processRssMiB(controller.pid!);
const probe = async (path: string) => (await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined))?.status ?? "no answer";
const samples: number[] = [];
const outage: string[] = [];
let runs = 0;
const cutAt = Math.floor(SECONDS / 3);
try {
  for (let s = 0; s < SECONDS; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    if (controller.exitCode !== null) throw new Error(`the controller exited with ${controller.exitCode}`);
    samples.push(rssMiB());
    if (s === cutAt) await relay.cut();
    if (s === cutAt + OUTAGE_SECONDS) await relay.open();
    if (s >= cutAt && s <= cutAt + OUTAGE_SECONDS + 10 && (s - cutAt) % 5 === 0) outage.push(`| ${s - cutAt} s ${s - cutAt < OUTAGE_SECONDS ? "into" : "after the start of"} the outage | ${await probe("/healthz")} | ${await probe("/readyz")} | ${fmt(samples.at(-1)!)} MiB |`);
  }
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  runs = [...metrics.matchAll(/^failsight_partition_runs_total\{[^}]*result="success"\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
} finally {
  controller.kill("SIGTERM");
  await new Promise((r) => controller.once("exit", r));
  await admin.unsafe(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => {});
  await admin.end();
  await embedded?.stop();
}
await relay.cut();
const steady = [...samples.slice(Math.floor(samples.length / 2))].sort((a, b) => a - b);
console.log(`## Controller RSS (${path.relative(process.cwd(), entry)}, ${SECONDS} s, ${POLICIES} policies every 10 s, ${runs} successful runs, ${process.env.DATABASE_URL ? "DATABASE_URL" : "embedded PostgreSQL"})`);
console.log("| after 5 s | steady (median of the second half) | peak |\n|---:|---:|---:|");
console.log(`| ${fmt(samples[4] ?? samples.at(-1)!)} MiB | ${fmt(steady[Math.floor(steady.length / 2)]!)} MiB | ${fmt(Math.max(...samples))} MiB |`);
console.log(`\n## Through a ${OUTAGE_SECONDS} s API-server outage (from ${cutAt} s)\n| when | /healthz | /readyz | RSS |\n|---|---:|---:|---:|\n${outage.join("\n")}`);
