import { describe, expect, it } from "vitest";
import { eventForOutcome } from "./reconcile.ts";
import { desiredCheck } from "./resource.ts";

describe("desiredCheck", () => {
  it("turns the resource's camelCase into the API's check, durations into seconds and milliseconds, a Secret's headers under its own", () => {
    const spec = { service: "web", interval: "2m", timeout: "1500ms", http: { url: "https://web/healthz", expectedStatus: [200, 204], jsonPath: "$.ok", jsonEquals: "true", headers: { "x-a": "own" }, headersFrom: { secretName: "t" } } };
    expect(desiredCheck(spec, { "x-a": "secret", authorization: "Bearer k" })).toEqual({
      ok: true,
      value: {
        service: "web",
        kind: "http",
        intervalSeconds: 120,
        timeoutMs: 1500,
        headersFrom: "t",
        spec: { url: "https://web/healthz", method: "GET", expected_status: [200, 204], json_path: "$.ok", json_equals: true, headers: { "x-a": "own", authorization: "Bearer k" }, tls_expiry_warn_days: 7 },
      },
    });
    expect(desiredCheck({ service: "db", tcp: { host: "db", port: 5432 } })).toMatchObject({ ok: true, value: { kind: "tcp", intervalSeconds: 60, timeoutMs: 10_000, spec: { host: "db", port: 5432 } } });
    expect(desiredCheck({ service: "x", http: { url: "http://x/", jsonPath: "$.s", jsonEquals: "degraded" } })).toMatchObject({ ok: true, value: { spec: { json_equals: "degraded" } } });
  });

  it("names the field of what cannot be probed", () => {
    expect(desiredCheck({ service: "x", http: { url: "ftp://x/" } })).toMatchObject({ ok: false, message: expect.stringMatching(/^spec\.http\.url: /) });
    expect(desiredCheck({ service: "x", tcp: { host: "x", port: 1 }, dns: { hostname: "x" } })).toEqual({ ok: false, message: "spec: give exactly one of http, tcp, dns" });
    expect(desiredCheck({ service: "x", interval: "0s", tcp: { host: "x", port: 1 } })).toMatchObject({ ok: false, message: expect.stringMatching(/^spec\.interval: /) });
    expect(desiredCheck({ service: "x", http: { url: "http://x/", jsonEquals: "1" } })).toMatchObject({ ok: false, message: "spec.http.jsonEquals: json_equals needs json_path" });
  });
});

describe("eventForOutcome", () => {
  it("records a change of outcome, and nothing while it holds", () => {
    expect(eventForOutcome(undefined, "pass")).toEqual({ type: "Normal", reason: "CheckPassing" });
    expect(eventForOutcome("pass", "fail")).toEqual({ type: "Warning", reason: "CheckFailing" });
    expect(eventForOutcome("fail", "pass")).toEqual({ type: "Normal", reason: "CheckRecovered" });
    expect(eventForOutcome("pass", "warn")).toEqual({ type: "Warning", reason: "CheckWarning" });
    expect(eventForOutcome("fail", "fail")).toBeUndefined();
  });
});
