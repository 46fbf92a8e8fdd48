// Checks the Dockerfile without Docker: carries out its stages as written (FROM starts a
// stage in a folder of its own, WORKDIR/COPY/RUN/ENV as Docker would, COPY --from between
// stages), then starts every entry point from the final, production-only stage. A runtime
// dependency missing from `dependencies`, or a step that does not work, fails here.
//   npm run check:image      (DATABASE_URL: a server to make a throw-away database on;
//                             FAILSIGHT_ENVTEST_KUBECONFIG: an API server for the controller)
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { generateKey } from "../app/access/key-format.ts";
import { startEmbeddedPostgres } from "../app/db/embedded.ts";
import { createProductionLikeDatabase } from "../app/db/roles.ts";
import { envtestConfig, installCrd } from "../app/test-support/envtest.ts";
import { freePort } from "../app/test-support/free-port.ts";
import { messageType } from "../app/ingest/formats/protobuf.ts";

const repo = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), "failsight-image-"));
// The image's `node` is Node 24; so is the one npm scripts run here.
const nodeBin = mkdtempSync(path.join(tmpdir(), "failsight-node-"));
symlinkSync(process.execPath, path.join(nodeBin, "node"));

type Stage = { name: string; root: string; cwd: string; env: Record<string, string>; cmd?: string[]; user?: string };
// The uid:gid of the users a Dockerfile may name: the node images' `node` user.
const IMAGE_USERS: Record<string, string> = { node: "1000:1000" };
const stages: Stage[] = [];
const step = (line: string) => console.log(`  ${line}`);

for (const raw of readFileSync(path.join(repo, "Dockerfile"), "utf8").split("\n")) {
  const line = raw.trim();
  if (!line || line.startsWith("#")) continue;
  const [instruction, ...rest] = line.split(/\s+/);
  const args = rest.join(" ");
  const stage = stages.at(-1)!;
  switch (instruction!.toUpperCase()) {
    case "FROM": {
      const name = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? `stage${stages.length}`;
      const root = path.join(work, name);
      mkdirSync(root, { recursive: true });
      stages.push({ name, root, cwd: root, env: {} });
      console.log(`FROM ${args}`);
      break;
    }
    case "WORKDIR":
      stage.cwd = path.join(stage.root, args);
      mkdirSync(stage.cwd, { recursive: true });
      step(line);
      break;
    case "ENV": {
      const [k, ...v] = args.split("=");
      // As Docker reads ENV: a value in double quotes is the text between them.
      stage.env[k!] = v.join("=").replace(/^"(.*)"$/, "$1");
      step(line);
      break;
    }
    case "COPY": {
      const parts = rest.filter((p) => !p.startsWith("--"));
      const from = /--from=(\S+)/.exec(args)?.[1];
      const dest = parts.pop()!;
      const source = from ? stages.find((s) => s.name === from)!.root : repo;
      const target = dest.startsWith("/") ? path.join(stage.root, dest) : path.join(stage.cwd, dest);
      for (const src of parts) {
        const abs = from ? path.join(source, src) : path.join(repo, src);
        const into = parts.length > 1 || dest.endsWith("/") ? path.join(target, path.basename(src)) : target;
        mkdirSync(path.dirname(into), { recursive: true });
        cpSync(abs, into, { recursive: true });
      }
      step(line);
      break;
    }
    case "RUN":
      step(line);
      // npm's cache lives in the stage, as in a fresh image, so a `npm cache clean` in the
      // Dockerfile cleans the stage's, never this machine's.
      execFileSync("bash", ["-euo", "pipefail", "-c", args], {
        cwd: stage.cwd,
        stdio: ["ignore", "ignore", "inherit"],
        env: { ...process.env, ...stage.env, PATH: `${nodeBin}:${process.env.PATH}`, npm_config_cache: path.join(stage.root, ".npm-cache") },
      });
      break;
    case "USER":
      if (!IMAGE_USERS[args]) throw new Error(`USER ${args}: add its uid:gid to IMAGE_USERS`);
      stage.user = args;
      step(line);
      break;
    case "CMD":
      stage.cmd = JSON.parse(args);
      step(line);
      break;
    default:
      step(`${line}   (not checked here)`);
  }
}

const final = stages.at(-1)!;
const app = final.cwd;
const children: ChildProcess[] = [];
// As the image's USER: when this check runs as root (CI), the entry points run as that uid
// through setpriv, so a file the image's user cannot read, or a write outside /tmp, fails here.
const [uid, gid] = (final.user ? IMAGE_USERS[final.user]! : "").split(":");
const asImageUser = Boolean(uid) && process.getuid?.() === 0;
if (asImageUser) for (const dir of [work, nodeBin]) execFileSync("chmod", ["-R", "a+rX", dir]);
const run = (args: string[], env: Record<string, string>) => {
  const [command, ...rest] = asImageUser ? ["setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", path.join(nodeBin, "node"), ...args] : [path.join(nodeBin, "node"), ...args];
  const child = spawn(command!, rest, { cwd: app, env: { PATH: process.env.PATH!, HOME: "/tmp", ...final.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  children.push(child);
  return { child, output: () => out, exited: new Promise<number | null>((r) => child.on("exit", r)) };
};
const waitFor = async (url: string, output: () => string) => {
  for (let i = 0; i < 150; i++) {
    try {
      const res = await fetch(url);
      if (res.ok) return res;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} never answered 200:\n${output()}`);
};

/** The real uid of a running child, from /proc. */
async function uidOf(child: ChildProcess): Promise<string> {
  await new Promise((r) => setTimeout(r, 50));
  try {
    return readFileSync(`/proc/${child.pid}/status`, "utf8").match(/^Uid:\s+(\d+)/m)![1]!;
  } catch {
    return "?";
  }
}

let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
let failed = false;
const adminUrl = process.env.DATABASE_URL || (embedded = await startEmbeddedPostgres({ dataDir: path.join(work, "pgdata"), port: await freePort(), persistent: false })).url;
const dbName = `failsight_image_${Date.now().toString(36)}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
// The owner migrates, the API connects as its runtime role, which owns nothing (README, "Security model").
const database = await createProductionLikeDatabase(admin, adminUrl, dbName, "image");
const { ownerUrl: databaseUrl, runtimeUrl } = database;
const adminKey = generateKey().key;

try {
  console.log(`\nentry points from the production-only install in ${app}:`);
  const migrate = run(["dist/app/main/migrate.js"], { DATABASE_URL: databaseUrl });
  const migrateUid = await uidOf(migrate.child);
  if ((await migrate.exited) !== 0) throw new Error(`migrate failed:\n${migrate.output()}`);
  console.log(`  migrate: applied, exit 0, as uid ${migrateUid}${asImageUser ? ` (USER ${final.user})` : " (this check is not root: it runs them as itself)"}`);
  // The production install ran npm's postinstall too (scripts/patch-postgres-js.cjs).
  if (!readFileSync(path.join(app, "node_modules/postgres/src/connection.js"), "utf8").includes("failsight: reserve even when the pipeline is full")) throw new Error("postgres.js was not mended by the install");
  console.log("  postgres.js: mended by npm's postinstall");

  const port = await freePort();
  const api = run(final.cmd!.slice(1), { DATABASE_URL: runtimeUrl, OWNER_DATABASE_URL: databaseUrl, PORT: String(port), FAILSIGHT_ADMIN_KEY: adminKey });
  await waitFor(`http://127.0.0.1:${port}/ready`, api.output);
  await waitFor(`http://127.0.0.1:${port}/docs/assets/swagger-ui-bundle.js`, api.output);
  const ingest = await fetch(`http://127.0.0.1:${port}/v1/logs`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${adminKey}` }, body: '[{"service":"image-check","message":"hello"}]' });
  if (ingest.status !== 200) throw new Error(`ingest answered ${ingest.status}`);
  // OTLP protobuf needs the .proto files the image copies beside dist/app.
  const otlpType = messageType("opentelemetry/proto/collector/logs/v1/logs_service.proto", "opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest");
  const otlpBody = otlpType.encode(otlpType.fromObject({ resourceLogs: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "image-check" } }] }, scopeLogs: [{ logRecords: [{ severityNumber: 9, body: { stringValue: "hello over OTLP" } }] }] }] })).finish();
  const otlp = await fetch(`http://127.0.0.1:${port}/otlp/v1/logs`, { method: "POST", headers: { "content-type": "application/x-protobuf", authorization: `Bearer ${adminKey}` }, body: otlpBody });
  if (otlp.status !== 200) throw new Error(`OTLP protobuf ingest answered ${otlp.status}: ${await otlp.text()}`);
  console.log(`  api (CMD ${final.cmd!.join(" ")}): /ready, /docs, native and OTLP/protobuf ingest (with the bootstrapped admin key) answer, as uid ${await uidOf(api.child)}`);

  // What `helm test` runs against the API.
  const smoke = run(["dist/app/main/smoke-test.js"], { FAILSIGHT_URL: `http://127.0.0.1:${port}`, FAILSIGHT_KEY: adminKey });
  if ((await smoke.exited) !== 0) throw new Error(`smoke-test failed:\n${smoke.output()}`);
  console.log("  smoke-test (helm test): ready, one event stored and read back");

  if (process.env.FAILSIGHT_ENVTEST_KUBECONFIG) {
    const cport = await freePort();
    await installCrd(envtestConfig());
    // A copy the image's user may read (the original may sit in root's home).
    const kubeconfig = path.join(work, "kubeconfig");
    cpSync(process.env.FAILSIGHT_ENVTEST_KUBECONFIG, kubeconfig);
    execFileSync("chmod", ["a+r", kubeconfig]);
    const controller = run(["dist/app/main/controller.js"], { DATABASE_URL: databaseUrl, KUBECONFIG: kubeconfig, CONTROLLER_NAMESPACE: "default", CONTROLLER_PORT: String(cport), LEASE_NAME: `image-check-${Date.now()}` });
    await waitFor(`http://127.0.0.1:${cport}/readyz`, controller.output);
    console.log(`  controller: /healthz and /readyz answer against the API server, as uid ${await uidOf(controller.child)}`);
  } else {
    // No API server: at least every module the controller needs must load.
    execFileSync(path.join(nodeBin, "node"), ["-e", "await import('./dist/app/controller/start.js')"], { cwd: app, input: "" });
    console.log("  controller: its modules load (no API server to start it against)");
  }
} catch (error) {
  failed = true;
  console.error(`\nimage check FAILED: ${(error as Error).message}`);
} finally {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await database.drop().catch(() => {});
  await admin.end();
  await embedded?.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(nodeBin, { recursive: true, force: true });
}
console.log(failed ? "image check: failed" : "image check: passed");
process.exit(failed ? 1 : 0);
