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
        "GET /logs",
        "GET /status",
        "GET /status/{service}",
        "GET /status/{service}/events",
        "GET /services",
        "GET /services/{name}",
        "POST /services",
        "PATCH /services/{name}",
        "GET /health",
        "GET /ready",
        "GET /metrics",
      ].sort(),
    );
    const page = await (await h.get("/docs")).text();
    expect(page).toContain("/docs/assets/swagger-ui-bundle.js");
    const bundle = await h.get("/docs/assets/swagger-ui-bundle.js");
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    expect((await h.get("/docs/assets/..%2Fpackage.json")).status).toBe(404);
  });
});
