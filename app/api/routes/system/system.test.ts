import { describe, expect, it } from "vitest";
import { testHarness } from "../../../test-support/harness.ts";

const h = testHarness();

describe("system routes", () => {
  it("/health is alive and /ready sees the database migrated", async () => {
    expect(await (await h.get("/health")).json()).toEqual({ status: "ok" });
    expect(await (await h.get("/ready")).json()).toEqual({ status: "ready" });
  });

  it("/metrics counts requests by route template, never the raw path", async () => {
    await h.get("/services/some-name-that-is-not-a-template");
    await h.get("/no/such/route");
    const text = await (await h.get("/metrics")).text();
    expect(text).toMatch(/failsight_http_requests_total\{method="GET",route="\/services\/:name",status="404"\} \d+/);
    expect(text).toMatch(/failsight_http_requests_total\{method="GET",route="unmatched",status="404"\} \d+/);
    expect(text).not.toContain("some-name-that-is-not-a-template");
    expect(text).toContain("process_cpu_seconds_total");
  });

  it("an unknown route is a 404 problem", async () => {
    const res = await h.get("/nope");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  it("/openapi.json documents every route and /docs serves Swagger UI from local assets", async () => {
    const doc = (await (await h.get("/openapi.json")).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe("3.1.0");
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(
      [
        "POST /v1/logs",
        "POST /otlp/v1/logs",
        "POST /loki/api/v1/push",
        "GET /logs",
        "GET /loki/api/v1/index/stats",
        "GET /loki/api/v1/index/volume",
        "GET /loki/api/v1/label/{name}/values",
        "GET /loki/api/v1/labels",
        "GET /loki/api/v1/query",
        "GET /loki/api/v1/query_range",
        "GET /loki/api/v1/series",
        "GET /loki/api/v1/status/buildinfo",
        "GET /loki/api/v1/tail",
        "GET /status",
        "GET /status/{service}",
        "GET /status/{service}/events",
        "GET /services",
        "GET /services/{name}",
        "POST /services",
        "PATCH /services/{name}",
        "POST /services/{name}/heartbeat",
        "GET /services/{name}/dependencies",
        "POST /checks",
        "POST /maintenance",
        "GET /maintenance",
        "DELETE /maintenance/{id}",
        "POST /incidents",
        "GET /incidents",
        "GET /incidents/{id}",
        "POST /incidents/{id}/updates",
        "PUT /status-pages/{slug}",
        "GET /status-pages",
        "DELETE /status-pages/{slug}",
        "GET /status-pages/{slug}",
        "GET /checks",
        "GET /checks/{name}",
        "DELETE /checks/{name}",
        "GET /services/{name}/heartbeat",
        "DELETE /services/{name}/heartbeat",
        "GET /ping/{token}",
        "POST /ping/{token}",
        "GET /ping/{token}/fail",
        "POST /ping/{token}/fail",
        "GET /ping/{token}/start",
        "POST /ping/{token}/start",
        "GET /",
        "GET /health",
        "GET /ready",
        "GET /metrics",
        "GET /admin/users",
        "POST /admin/users",
        "GET /admin/teams",
        "POST /admin/teams",
        "PUT /admin/teams/{team}/members/{user}",
        "DELETE /admin/teams/{team}/members/{user}",
        "GET /admin/grants",
        "POST /admin/grants",
        "DELETE /admin/grants/{id}",
        "GET /admin/keys",
        "POST /admin/keys",
        "POST /admin/keys/{prefix}/revoke",
        "GET /admin/audit",
      ].sort(),
    );
    const page = await (await h.get("/docs")).text();
    expect(page).toContain("/docs/assets/swagger-ui-bundle.js");
    const bundle = await h.get("/docs/assets/swagger-ui-bundle.js");
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    expect((await h.get("/docs/assets/..%2Fpackage.json")).status).toBe(404);
    const slash = await h.request("/docs/", { redirect: "manual" });
    expect([slash.status, slash.headers.get("location")]).toEqual([301, "/docs"]);
  });
});

describe("the OpenAPI document's access model", () => {
  it("declares the bearer scheme, and for every route that needs a key, the scheme and its roles", async () => {
    const doc = (await (await h.get("/openapi.json")).json()) as { components: { securitySchemes: Record<string, { type: string; scheme: string }> }; paths: Record<string, Record<string, { security?: unknown[]; "x-failsight-roles"?: string[] }>> };
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
    const open = new Set(["/", "/health", "/ready", "/ping/{token}", "/ping/{token}/fail", "/ping/{token}/start", "GET /status-pages/{slug}"]);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (open.has(path) || open.has(`${method.toUpperCase()} ${path}`)) {
          expect(op.security, `${method} ${path}`).toBeUndefined();
        } else {
          expect(op.security, `${method} ${path}`).toEqual([{ apiKey: [] }]);
          expect(op["x-failsight-roles"]?.length, `${method} ${path}`).toBeGreaterThan(0);
        }
      }
    }
    expect(doc.paths["/admin/keys"]!.post!["x-failsight-roles"]).toEqual(["admin"]);
    expect(doc.paths["/v1/logs"]!.post!["x-failsight-roles"]).toEqual(["ingest", "operator", "admin"]);
  });
});

describe("GET /", () => {
  it("shows a browser a page with the version and where to go, and a program a JSON index", async () => {
    const { VERSION } = await import("../../../version.ts");
    const browser = await h.request("/", { headers: { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" } });
    expect(browser.status).toBe(200);
    expect(browser.headers.get("content-type")).toContain("text/html");
    const html = await browser.text();
    expect(html).toContain(`Version ${VERSION}`);
    expect(html).toContain('href="/docs"');
    for (const accept of [undefined, "*/*", "application/json"]) {
      const res = await h.request("/", accept ? { headers: { accept } } : {});
      expect(res.headers.get("content-type"), accept).toContain("application/json");
      expect(await res.json()).toMatchObject({ name: "Failsight", version: VERSION, auth: "on", links: { docs: "/docs", openapi: "/openapi.json" } });
    }
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });
});
