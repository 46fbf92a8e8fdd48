import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadYaml } from "@kubernetes/client-node";
import { hasBinary } from "../../app/test-support/binaries.ts";
import { describe, expect, it } from "vitest";

// The alert and recording rules, checked by promtool (Debian's prometheus package; .ci/run
// installs it when missing).
const RULES = fileURLToPath(new URL("../failsight/files/prometheus-rules.yaml", import.meta.url));
const TESTS = fileURLToPath(new URL("./promtool/alerts.test.yaml", import.meta.url));
const README = fileURLToPath(new URL("../../README.md", import.meta.url));

const promtool = hasBinary("promtool");

type Rule = { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
const groups = loadYaml<{ groups: { name: string; rules: Rule[] }[] }>(readFileSync(RULES, "utf8")).groups;
const alerts = groups.flatMap((g) => g.rules.filter((r) => r.alert));
type Case = { alertname: string; exp_alerts: unknown[] };
const cases = loadYaml<{ tests: { alert_rule_test?: Case[] }[] }>(readFileSync(TESTS, "utf8")).tests.flatMap((t) => t.alert_rule_test ?? []);

describe.skipIf(!promtool)("alert and recording rules under promtool", () => {
  it("promtool check rules accepts the file", () => {
    const result = spawnSync("promtool", ["check", "rules", RULES], { encoding: "utf8" });
    expect(result.stdout + result.stderr).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  it("promtool test rules passes every case", () => {
    const result = spawnSync("promtool", ["test", "rules", TESTS], { encoding: "utf8" });
    expect(result.stdout + result.stderr, result.stdout + result.stderr).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });
});
if (!promtool) describe("promtool rule tests (skipped: no promtool on PATH; install Debian's prometheus package)", () => it.skip("needs promtool", () => {}));

describe("every alert", () => {
  it.each(alerts.map((a) => [a.alert!, a] as const))("%s has a case where it fires and one where it stays silent", (name) => {
    expect(cases.some((c) => c.alertname === name && c.exp_alerts.length > 0), "a firing case").toBe(true);
    expect(cases.some((c) => c.alertname === name && c.exp_alerts.length === 0), "a silent case").toBe(true);
  });

  it.each(alerts.map((a) => [a.alert!, a] as const))("%s carries severity, service and team, a summary, a description and a runbook in the README", (name, rule) => {
    expect(["page", "ticket"]).toContain(rule.labels?.severity);
    // Per-service alerts take service from the series and team from failsight_service_info.
    const fromSeries = /group_left \(team, root_cause, impacted\) service:failsight_service_alert_labels:info/.test(rule.expr);
    expect(fromSeries || (rule.labels?.service && rule.labels?.team), "service and team").toBeTruthy();
    expect(rule.annotations?.summary).toBeTruthy();
    expect(rule.annotations?.description).toBeTruthy();
    const anchor = rule.annotations!.runbook_url!.split("#")[1];
    expect(anchor).toBe(name.toLowerCase());
    expect(readFileSync(README, "utf8")).toMatch(new RegExp(`^#### ${name}$`, "m"));
  });
});
