import { spawn, type ChildProcess } from "node:child_process";
import { hasBinary } from "../../app/test-support/binaries.ts";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadYaml } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createUser } from "../../app/access/repository.ts";
import { createKey } from "../../app/access/api-keys.ts";
import { createDb } from "../../app/db/client.ts";
import { envtestKubeconfig } from "../../app/test-support/envtest.ts";
import { freePort } from "../../app/test-support/free-port.ts";

// End to end: Failsight as `npm start` runs it, a real Prometheus (Debian's package) on
// loopback scraping it every second with the chart's rule file loaded, and traffic with
// errors and slow requests for several services. Everything is asserted through
// Prometheus's HTTP API, as Grafana and Alertmanager would see it.
const CHART_FILES = fileURLToPath(new URL("../failsight/files/", import.meta.url));
const prometheusBinary = hasBinary("prometheus");
const suite = describe.skipIf(!prometheusBinary);
if (!prometheusBinary) describe("dashboards and rules on a real Prometheus (skipped: no prometheus on PATH; install Debian's prometheus package)", () => it.skip("needs prometheus", () => {}));

// Built for the test's fast windows: the FailsightErrorBudgetBurnFast shape, 20 s and 10 s
// instead of 1 h and 5 m, using the real budget recording rule.
const FAST_ALERTS = `groups:
  - name: e2e-fast-windows
    rules:
      - alert: E2EErrorBudgetBurnFast
        expr: |
          (
            sum by (service) (rate(failsight_service_errors_total[20s])) / sum by (service) (rate(failsight_service_requests_total[20s]))
              > on (service) (14.4 * service:failsight_service_error_budget:ratio)
          and
            sum by (service) (rate(failsight_service_errors_total[10s])) / sum by (service) (rate(failsight_service_requests_total[10s]))
              > on (service) (14.4 * service:failsight_service_error_budget:ratio)
          )
        for: 3s
        labels: {severity: page}
`;

const children: ChildProcess[] = [];
const work = mkdtempSync(path.join(tmpdir(), "failsight-e2e-"));
let promUrl = "";
let apiUrl = "";
let stopTraffic = false;
let key = "";
let traffic: Promise<void> | undefined;

function start(command: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(command, args, { env: { PATH: process.env.PATH!, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output = (output + d).slice(-4000)));
  child.stderr!.on("data", (d) => (output = (output + d).slice(-4000)));
  children.push(child);
  return () => output;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (trafficError) throw trafficError; // no wait outlives the traffic that feeds it
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function query(expr: string): Promise<{ status: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } }> {
  return (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`)).json() as never;
}

let trafficError: Error | undefined;
const SCRAPE_TOKEN = "e2e-scrape-token-".padEnd(48, "x");
type Target = { expr: string; refId: string; datasource?: { type: string } };
type Dashboard = { title: string; panels: { title: string; type: string; targets?: Target[]; fieldConfig?: { defaults: { links?: { title: string; url: string }[] } } }[] };
const isLoki = (target: Target) => target.datasource?.type === "loki";
/** The LogQL of a data link to Explore: the first query of its `panes`. */
const exploreExpr = (url: string) => {
  const panes = new URL(url, "http://grafana").searchParams.get("panes")!;
  return (Object.values(JSON.parse(panes)) as { queries: { expr: string }[] }[])[0]!.queries[0]!.expr;
};
const post = (events: unknown[]) => fetch(`${apiUrl}/v1/logs`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify(events) });

suite("dashboards and rules on a real Prometheus", () => {
  beforeAll(async () => {
    // An admin of its own, made in the database as Failsight's CLI would: traffic goes
    // through authentication and row-level security like anyone's.
    const { sql } = createDb(inject("databaseUrl"), { max: 1, systemScope: true });
    const admin = `e2e-admin-${Date.now()}`;
    await createUser(sql, admin, "admin", []);
    key = (await createKey(sql, { name: "e2e", user: admin }))!.key;
    await sql.end();
    const apiPort = await freePort();
    const promPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    promUrl = `http://127.0.0.1:${promPort}`;
    const apiOutput = start(process.execPath, [fileURLToPath(new URL("../../app/main/local.ts", import.meta.url))], {
      DATABASE_URL: inject("databaseUrl"),
      PORT: String(apiPort),
      HOST: "127.0.0.1",
      STATUS_EVALUATION_SECONDS: "1",
      METRICS_TOKEN: SCRAPE_TOKEN,
      LOG_LEVEL: "warn",
    });
    // Scraped as the chart's ServiceMonitor does: with the scrape token.
    const targets = [`  - job_name: failsight-api\n    honor_labels: true\n    authorization: {credentials: ${SCRAPE_TOKEN}}\n    static_configs: [{targets: ["127.0.0.1:${apiPort}"]}]`];
    if (envtestKubeconfig) {
      const controllerPort = await freePort();
      start(process.execPath, [fileURLToPath(new URL("../../app/main/controller.ts", import.meta.url))], {
        DATABASE_URL: inject("databaseUrl"),
        KUBECONFIG: envtestKubeconfig,
        CONTROLLER_NAMESPACE: "default",
        CONTROLLER_PORT: String(controllerPort),
        LEASE_NAME: `e2e-${Date.now()}`,
        LEASE_RETRY_PERIOD_SECONDS: "1",
        LOG_LEVEL: "warn",
      });
      targets.push(`  - job_name: failsight-controller\n    static_configs: [{targets: ["127.0.0.1:${controllerPort}"]}]`);
    }
    writeFileSync(path.join(work, "fast-alerts.yaml"), FAST_ALERTS);
    writeFileSync(
      path.join(work, "prometheus.yml"),
      `global: {scrape_interval: 1s, evaluation_interval: 1s}\nrule_files: ["${CHART_FILES}prometheus-rules.yaml", "${work}/fast-alerts.yaml"]\nscrape_configs:\n${targets.join("\n")}\n`,
    );
    const promOutput = start("prometheus", [`--config.file=${work}/prometheus.yml`, `--storage.tsdb.path=${work}/data`, `--web.listen-address=127.0.0.1:${promPort}`, "--log.level=warn"]);
    await until(`Failsight (${apiOutput()})`, async () => ((await fetch(`${apiUrl}/ready`)).ok ? true : undefined));
    await until(`Prometheus (${promOutput()})`, async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined));

    // Traffic: healthy answers fast, broken fails half its requests, slow takes seconds.
    traffic = (async () => {
      let i = 0;
      while (!stopTraffic) {
        const batch = Array.from({ length: 20 }, (_, k) => [
          { service: "e2e-healthy", status: 200, latency_ms: 20 + (k % 5), method: "GET", route: "/items" },
          { service: "e2e-broken", status: k % 2 ? 503 : 200, error_code: k % 2 ? "E_UPSTREAM" : undefined, latency_ms: 40, level: k % 2 ? "error" : "info" },
          { service: "e2e-slow", status: 200, latency_ms: 3_000 + (k % 10) * 100 },
        ]).flat();
        // A refused batch (a revoked key, a bug) must fail the test at once, not as a timeout.
        const res = await post(batch);
        if (!res.ok) throw new Error(`the traffic's ingest answered ${res.status}: ${await res.text()}`);
        if (i++ % 5 === 0) {
          const read = await fetch(`${apiUrl}/logs?service=e2e-broken&limit=5`, { headers: { authorization: `Bearer ${key}` } });
          if (!read.ok) throw new Error(`the traffic's /logs answered ${read.status}`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    traffic.catch((error: Error) => (trafficError = error));
    await until("Prometheus to see the services", async () => ((await query("failsight_service_requests_total")).data?.result.length ? true : undefined));
  }, 120_000);

  afterAll(async () => {
    stopTraffic = true;
    await traffic;
    for (const c of children) c.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    rmSync(work, { recursive: true, force: true });
  });

  it("every recording rule produces series", async () => {
    const groups = loadYaml<{ groups: { rules: { record?: string }[] }[] }>(readFileSync(`${CHART_FILES}prometheus-rules.yaml`, "utf8")).groups;
    const records = groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : [])));
    expect(records.length).toBeGreaterThan(5);
    const counts: Record<string, number> = {};
    for (const record of records) counts[record] = await until(record, async () => (await query(record)).data?.result.length || undefined);
    console.log(`recording rules → series:\n${Object.entries(counts).map(([r, n]) => `  ${r}: ${n}`).join("\n")}`);
    const ratios = await query('service:failsight_service_error_ratio:rate5m{service=~"e2e-.*"}');
    const ratio = Object.fromEntries(ratios.data!.result.map((r) => [r.metric.service, Number(r.value[1])]));
    expect(ratio["e2e-healthy"]).toBe(0);
    expect(ratio["e2e-broken"]).toBeGreaterThan(0.4);
    expect(ratio["e2e-broken"]).toBeLessThan(0.6);
  });

  it("the fast-window burn alert fires for the broken service and not the healthy one", async () => {
    const firing = await until("E2EErrorBudgetBurnFast to fire", async () => {
      const alerts = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
      const mine = alerts.data.alerts.filter((a) => a.labels.alertname === "E2EErrorBudgetBurnFast" && a.state === "firing");
      // Services of other test files share the database, and theirs may fire first.
      return mine.some((a) => a.labels.service === "e2e-broken") ? mine : undefined;
    }, 60_000);
    const services = firing.map((a) => a.labels.service);
    expect(services).toContain("e2e-broken");
    expect(services).not.toContain("e2e-healthy");
    expect(services).not.toContain("e2e-slow");
  });

  it("every PromQL expression in every dashboard panel parses and returns data", async () => {
    const report: string[] = [];
    const skipped: string[] = [];
    for (const file of readdirSync(`${CHART_FILES}dashboards`).sort()) {
      const dashboard = JSON.parse(readFileSync(`${CHART_FILES}dashboards/${file}`, "utf8")) as Dashboard;
      const singleService = /service\.json$/.test(file);
      for (const panel of dashboard.panels.filter((p) => p.targets)) {
        for (const target of panel.targets!.filter((t) => !isLoki(t))) {
          // What Grafana would send: its variables filled in.
          const expr = target.expr
            .replaceAll("$__rate_interval", "30s")
            .replaceAll('service=~"$service"', 'service=~"e2e-.*"')
            .replaceAll("$service", singleService ? "e2e-broken" : "e2e-broken");
          if (!envtestKubeconfig && expr.includes("failsight_controller_leader")) {
            skipped.push(`${dashboard.title} / ${panel.title}`);
            continue;
          }
          const parsed = await query(expr);
          expect(parsed.status, `${dashboard.title} / ${panel.title} [${target.refId}]: ${parsed.error}`).toBe("success");
          const series = await until(`${dashboard.title} / ${panel.title} [${target.refId}] to return data: ${expr}`, async () => (await query(expr)).data?.result.length || undefined, 45_000);
          report.push(`${dashboard.title} / ${panel.title} [${target.refId}]: ${series} series`);
        }
      }
    }
    console.log(`dashboard panels → series:\n  ${report.join("\n  ")}${skipped.length ? `\nskipped (no controller without an API server): ${skipped.join(", ")}` : ""}`);
    expect(report.length).toBeGreaterThan(25);
  }, 300_000);

  it("every LogQL expression in every dashboard panel and error-panel link returns data from Failsight's Loki API", async () => {
    const report: string[] = [];
    for (const file of readdirSync(`${CHART_FILES}dashboards`).sort()) {
      const dashboard = JSON.parse(readFileSync(`${CHART_FILES}dashboards/${file}`, "utf8")) as Dashboard;
      const queries = dashboard.panels.flatMap((panel) => [
        ...(panel.targets ?? []).filter(isLoki).map((t) => ({ where: `${panel.title} [${t.refId}]`, expr: t.expr })),
        ...(panel.fieldConfig?.defaults.links ?? []).map((link) => ({ where: `${panel.title} → ${link.title}`, expr: exploreExpr(link.url) })),
      ]);
      for (const { where, expr: template } of queries) {
        // What Grafana would send: its variables filled in (a link's from the series clicked).
        const expr = template
          .replaceAll("$__auto", "15s")
          .replaceAll("${__field.labels.service}", "e2e-broken")
          .replaceAll("${__field.labels.error_code}", "E_UPSTREAM")
          .replaceAll('service=~"$service"', 'service=~"e2e-.*"')
          .replaceAll("$service", "e2e-broken");
        const lines = await until(`${dashboard.title} / ${where} to return data: ${expr}`, async () => {
          const end = Date.now();
          const params = new URLSearchParams({ query: expr, start: `${end - 120_000}000000`, end: `${end}000000`, step: "15s", limit: "100" });
          const res = await fetch(`${apiUrl}/loki/api/v1/query_range?${params}`, { headers: { authorization: `Basic ${Buffer.from(`grafana:${key}`).toString("base64")}` } });
          const body = (await res.json()) as { data?: { result: unknown[] }; message?: string };
          expect(res.status, `${dashboard.title} / ${where}: ${body.message}`).toBe(200);
          return body.data!.result.length || undefined;
        }, 45_000);
        report.push(`${dashboard.title} / ${where}: ${lines} streams or series`);
      }
    }
    console.log(`Loki panels and links → data:\n  ${report.join("\n  ")}`);
    expect(report.length).toBeGreaterThanOrEqual(6);
  }, 300_000);
});
