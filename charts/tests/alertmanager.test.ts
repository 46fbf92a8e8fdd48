import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasBinary } from "../../app/test-support/binaries.ts";
import { freePort } from "../../app/test-support/free-port.ts";
import { tempFolder } from "../../app/test-support/temp-folder.ts";

// The Alertmanager configuration the chart ships (files/alertmanager/alertmanager.yaml):
// amtool checks it and its routes, and a real Alertmanager (Debian's
// prometheus-alertmanager; .ci/run installs it) receives the alerts of a dependency outage.
// Its receivers are pointed at a webhook this test runs, keeping their names and the whole
// routing tree and inhibit rules: one page for the root cause, none for its dependents.
const CONFIG = fileURLToPath(new URL("../failsight/files/alertmanager/alertmanager.yaml", import.meta.url));
const binary = ["prometheus-alertmanager", "alertmanager"].find(hasBinary);
const amtool = hasBinary("amtool");
const suite = describe.skipIf(!binary || !amtool);
if (!binary || !amtool) describe("the Alertmanager configuration (skipped: no alertmanager or amtool on PATH; install Debian's prometheus-alertmanager)", () => it.skip("needs alertmanager", () => {}));

const routeOf = (labels: Record<string, string>) =>
  spawnSync("amtool", ["config", "routes", "test", `--config.file=${CONFIG}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)], { encoding: "utf8" }).stdout.trim();

suite("the Alertmanager configuration", () => {
  it("passes amtool check-config", () => {
    const result = spawnSync("amtool", ["check-config", CONFIG], { encoding: "utf8" });
    expect(result.stdout, result.stdout + result.stderr).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  it.each([
    [{ alertname: "FailsightServiceDown", severity: "page", service: "checkout", team: "payments", root_cause: "checkout" }, "pagerduty-services,webhook-incidents"],
    [{ alertname: "FailsightApiDown", severity: "page", service: "failsight", team: "platform" }, "pagerduty-platform"],
    [{ alertname: "FailsightServiceHighLatency", severity: "ticket", service: "ledger", team: "payments", root_cause: "ledger" }, "email-payments"],
    [{ alertname: "FailsightServiceHighLatency", severity: "ticket", service: "search", team: "discovery", root_cause: "search" }, "slack-default"],
  ])("routes %o to %s", (labels, receivers) => {
    expect(routeOf(labels)).toBe(receivers);
  });

  describe("on a real Alertmanager", () => {
    const folder = tempFolder("alertmanager");
    const received: { receiver: string; service: string; alertname: string }[] = [];
    let hook: Server;
    let alertmanager: ChildProcess;
    let api = "";

    beforeAll(async () => {
      hook = createServer((req, res) => {
        let body = "";
        req.on("data", (chunk) => (body += chunk));
        req.on("end", () => {
          const receiver = req.url!.slice(1);
          for (const alert of (JSON.parse(body) as { alerts: { labels: Record<string, string> }[] }).alerts) {
            received.push({ receiver, service: alert.labels["service"]!, alertname: alert.labels["alertname"]! });
          }
          res.end();
        });
      });
      await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
      const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
      const config = parse(readFileSync(CONFIG, "utf8")) as { route: Record<string, unknown>; receivers: { name: string }[] };
      config.receivers = config.receivers.map((r) => ({ name: r.name, webhook_configs: [{ url: `${hookUrl}/${r.name}`, send_resolved: false }] }));
      Object.assign(config.route, { group_wait: "1s", group_interval: "1s" });
      const file = path.join(folder.path, "alertmanager.yml");
      writeFileSync(file, stringify(config));
      const port = await freePort();
      api = `http://127.0.0.1:${port}`;
      alertmanager = spawn(binary!, [`--config.file=${file}`, `--storage.path=${folder.path}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address="], { stdio: "ignore" });
      for (let i = 0; i < 100 && !(await fetch(`${api}/-/ready`).then((r) => r.ok, () => false)); i++) await sleep(100);
    });

    afterAll(async () => {
      // Its storage folder is removed only once it has exited: it writes there until then.
      const exited = alertmanager && alertmanager.exitCode === null ? new Promise((resolve) => alertmanager.once("exit", resolve)) : undefined;
      alertmanager?.kill();
      await exited;
      await new Promise((resolve) => hook?.close(resolve));
      folder.remove();
    });

    it("pages once for a down dependency, silencing the pages of what depends on it, and no others", async () => {
      // What the chart's rules fire when db goes down under a and c (charts/tests/promtool/alerts.test.yaml).
      const alert = (alertname: string, service: string, team: string, rootCause?: string) => ({
        labels: { alertname, severity: "page", service, team, ...(rootCause ? { root_cause: rootCause, impacted: String(rootCause !== service) } : {}) },
        annotations: { summary: `${service} ${alertname}` },
      });
      const alerts = [
        alert("FailsightServiceDown", "db", "platform", "db"),
        alert("FailsightErrorBudgetBurnFast", "db", "platform", "db"),
        alert("FailsightServiceDown", "c", "orders", "db"),
        alert("FailsightErrorBudgetBurnFast", "a", "shop", "db"),
        alert("FailsightErrorBudgetBurnFast", "other", "shop", "other"),
        alert("FailsightApiDown", "failsight", "platform"),
      ];
      const posted = await fetch(`${api}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(alerts) });
      expect(posted.status).toBe(200);
      for (let i = 0; i < 100 && received.length < 5; i++) await sleep(100);
      await sleep(1_500); // time for anything that should not arrive to arrive

      const to = (receiver: string) => received.filter((r) => r.receiver === receiver).map((r) => r.service).sort();
      // db pages once (its ServiceDown; its own burn-rate page is silenced with its dependents').
      expect(received.filter((r) => r.receiver === "pagerduty-services")).toEqual(
        expect.arrayContaining([
          { receiver: "pagerduty-services", service: "db", alertname: "FailsightServiceDown" },
          { receiver: "pagerduty-services", service: "other", alertname: "FailsightErrorBudgetBurnFast" },
        ]),
      );
      expect(to("pagerduty-services")).toEqual(["db", "other"]);
      expect(to("webhook-incidents")).toEqual(["db", "other"]);
      expect(to("pagerduty-platform")).toEqual(["failsight"]);
      expect(received.filter((r) => r.service === "a" || r.service === "c")).toEqual([]);

      const state = (await (await fetch(`${api}/api/v2/alerts`)).json()) as { labels: { service: string; alertname: string }; status: { state: string; inhibitedBy: string[] } }[];
      const suppressed = state.filter((a) => a.status.state === "suppressed").map((a) => `${a.labels.service} ${a.labels.alertname}`).sort();
      expect(suppressed).toEqual(["a FailsightErrorBudgetBurnFast", "c FailsightServiceDown", "db FailsightErrorBudgetBurnFast"]);
    });
  });
});
