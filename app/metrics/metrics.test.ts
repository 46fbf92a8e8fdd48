import { spawnSync } from "node:child_process";
import { hasBinary } from "../test-support/binaries.ts";
import { describe, expect, it } from "vitest";
import { testHarness, unique } from "../test-support/harness.ts";
import { evaluateServices } from "../status/service-status.ts";
import { LabelLimiter } from "./label-limiter.ts";
import { limitServiceLabels } from "./service-labels.ts";
import { publishStatuses } from "../status/metrics.ts";
import { HourHistograms } from "../status/hour-histograms.ts";

const h = testHarness();
const promtool = hasBinary("promtool");

// prom-client's default metrics name three gauges with _total; promtool 2.42 cannot be told
// to skip them. Exactly these, and nothing else, may be reported.
const PROM_CLIENT_DEFAULTS = ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"];

const metrics = async () => (await h.get("/metrics")).text();
const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}()[\].+*?^$|\\]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);

describe("service metrics derived from ingested events", () => {
  it("count requests by status class, errors by code, and latency, after commit only", async () => {
    const svc = unique("metered");
    const before = await metrics();
    const events = [
      { service: svc, status: 200, latency_ms: 20 },
      { service: svc, status: 201, latency_ms: 40 },
      { service: svc, status: 404, latency_ms: 5 },
      { service: svc, status: 503, error_code: "E_UPSTREAM", latency_ms: 3000 },
      { service: svc, level: "error", message: "no status" },
      { service: svc, level: "warn", message: "not an error" },
    ];
    expect((await h.postJson("/v1/logs", events)).status).toBe(200);
    expect((await h.postJson("/v1/logs", [{ service: svc, status: 500 }, { service: svc, level: "nope" }])).status).toBe(400);
    const after = await metrics();
    expect(value(before, `failsight_service_requests_total{service="${svc}",code_class="2xx"}`)).toBeNaN();
    expect(value(after, `failsight_service_requests_total{service="${svc}",code_class="2xx"}`)).toBe(2);
    expect(value(after, `failsight_service_requests_total{service="${svc}",code_class="4xx"}`)).toBe(1);
    expect(value(after, `failsight_service_requests_total{service="${svc}",code_class="5xx"}`)).toBe(1);
    expect(value(after, `failsight_service_requests_total{service="${svc}",code_class="none"}`)).toBe(2);
    expect(value(after, `failsight_service_errors_total{service="${svc}",error_code="E_UPSTREAM"}`)).toBe(1);
    expect(value(after, `failsight_service_errors_total{service="${svc}",error_code="none"}`)).toBe(1);
    expect(value(after, `failsight_service_request_duration_seconds_count{service="${svc}"}`)).toBe(4);
    expect(value(after, `failsight_service_request_duration_seconds_bucket{le="0.025",service="${svc}"}`)).toBe(2);
    expect(value(after, `failsight_service_request_duration_seconds_sum{service="${svc}"}`)).toBeCloseTo(3.065, 6);
  });

  it("publish each service's state, owner, SLO target and silence limit as gauges", async () => {
    const svc = unique("gauged");
    await h.sql`INSERT INTO teams (name) VALUES ('payments') ON CONFLICT DO NOTHING`;
    await h.postJson("/services", { name: svc, owner_team: "payments", tier: 1, thresholds: { slo_target: 0.995, silence_seconds_down: 120 } });
    await h.postJson("/v1/logs", Array.from({ length: 10 }, () => ({ service: svc, status: 500 })));
    publishStatuses(await evaluateServices(h.sql, new Date(), 300_000, new HourHistograms(), [svc]));
    const text = await metrics();
    expect(value(text, `failsight_service_state{service="${svc}",state="down"}`)).toBe(1);
    expect(value(text, `failsight_service_state{service="${svc}",state="up"}`)).toBe(0);
    expect(value(text, `failsight_service_info{service="${svc}",team="payments",tier="1",type="service"}`)).toBe(1);
    expect(value(text, `failsight_service_slo_target_ratio{service="${svc}"}`)).toBe(0.995);
    expect(value(text, `failsight_service_expected_interval_seconds{service="${svc}"}`)).toBe(120);
    expect(value(text, `failsight_service_latency_objective_seconds{service="${svc}"}`)).toBe(1);
    expect(Date.now() / 1000 - value(text, `failsight_service_last_event_timestamp_seconds{service="${svc}"}`)).toBeLessThan(60);
  });

  it("fold services beyond the cap into `other`", async () => {
    limitServiceLabels(0, 0);
    try {
      const svc = unique("overflow");
      await h.postJson("/v1/logs", [{ service: svc, status: 500, error_code: "E_NEW" }]);
      const text = await metrics();
      expect(text).not.toContain(svc);
      expect(value(text, `failsight_service_errors_total{service="other",error_code="other"}`)).toBeGreaterThanOrEqual(1);
    } finally {
      limitServiceLabels(500, 2_000);
    }
  });
});

describe("LabelLimiter", () => {
  it("admits the first values up to the cap, keeps them, and folds the rest", () => {
    const limiter = new LabelLimiter(2);
    expect(["a", "b", "c", "a", "d", "b"].map((v) => limiter.label(v))).toEqual(["a", "b", "other", "a", "other", "b"]);
  });
});

describe.skipIf(!promtool)("promtool check metrics on the live /metrics", () => {
  it("reports nothing but prom-client's three known default names", async () => {
    await h.postJson("/v1/logs", [{ service: unique("lint"), status: 503, error_code: "E", latency_ms: 10 }]);
    await h.get("/status");
    const result = spawnSync("promtool", ["check", "metrics"], { input: await metrics(), encoding: "utf8" });
    const problems = (result.stdout + result.stderr).split("\n").filter(Boolean);
    expect(problems.filter((p) => !PROM_CLIENT_DEFAULTS.some((name) => p.startsWith(`${name} `)))).toEqual([]);
  });
});
if (!promtool) describe("promtool check metrics (skipped: no promtool on PATH; install Debian's prometheus package)", () => it.skip("needs promtool", () => {}));

describe("who may read /metrics", () => {
  it("the scrape token and admins' keys; nobody else learns anything about services", async () => {
    const { createApp } = await import("../api/app.ts");
    const token = "t".repeat(40);
    const app = createApp({ sql: h.appPool, serviceIds: h.serviceIds, hourHistograms: new HourHistograms(), now: () => new Date(), auth: "on", metricsToken: token });
    const service = unique("metered");
    expect((await h.postJson("/v1/logs", [{ service }])).status).toBe(200);
    const as = (authorization?: string) => app.request("/metrics", authorization ? { headers: { authorization } } : {});
    const scraped = await as(`Bearer ${token}`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain(service);
    expect((await as(`Bearer ${h.admin.key}`)).status).toBe(200);
    const viewer = await h.caller({ role: "viewer" });
    for (const [who, header, status] of [["no credential", undefined, 401], ["a wrong token", `Bearer ${"x".repeat(40)}`, 401], ["a viewer's key", `Bearer ${viewer.key}`, 403]] as const) {
      const res = await as(header);
      expect(res.status, who).toBe(status);
      expect(await res.text(), who).not.toContain(service);
    }
    // The scrape token is not an API key: it opens /metrics and nothing else.
    const elsewhere = await app.request("/services", { headers: { authorization: `Bearer ${token}` } });
    expect(elsewhere.status).toBe(403);
    expect(await elsewhere.text()).not.toContain(service);
  });
});
