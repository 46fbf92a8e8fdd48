import http from "node:http";
import https from "node:https";
import { rootCertificates, type TLSSocket } from "node:tls";
import type { HttpCheck } from "../../domain/check-spec.ts";
import { atJsonPath } from "./json-path.ts";
import { networkFailure, timedOut, type ProbeResult } from "./probe-result.ts";

/** Of a body only this much is read for `body_contains` and `json_path`. */
const MAX_BODY_BYTES = 1024 * 1024;
const DAY_MS = 86_400_000;

/**
 * One HTTP(S) request to the target: the status, the body's keyword or JSON value, and for
 * https the certificate's expiry, all within `timeoutMs` from the first byte sent to the
 * last byte read. Node's own client rather than fetch, for the peer certificate and for
 * connection errors by code. Redirects are not followed: a 3xx is an answer.
 */
export function probeHttp(spec: HttpCheck, timeoutMs: number): Promise<ProbeResult> {
  const url = new URL(spec.url);
  const target = { url: spec.url, method: spec.method };
  const needsBody = spec.body_contains !== undefined || spec.json_path !== undefined;
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => settle(timedOut(timeoutMs, target)), timeoutMs);
    const options: https.RequestOptions = {
      method: spec.method,
      headers: { "user-agent": "Failsight-Check/1", ...(spec.headers ?? {}) },
      agent: false,
      // Given a CA, Node trusts only what `ca` lists: the system's roots go with it.
      ...(url.protocol === "https:" && spec.tls_ca ? { ca: [...rootCertificates, spec.tls_ca] } : {}),
    };
    const request = (url.protocol === "https:" ? https : http).request(url, options, (response) => {
      const status = response.statusCode ?? 0;
      const certificate = url.protocol === "https:" ? (response.socket as TLSSocket).getPeerCertificate?.() : undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        if (!needsBody) return;
        if (size < MAX_BODY_BYTES) chunks.push(chunk);
        size += chunk.length;
        if (size >= MAX_BODY_BYTES) response.destroy();
      });
      const done = () => {
        const latencyMs = performance.now() - started;
        const body = Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString("utf8");
        settle(judge(spec, { status, body, latencyMs, certificateValidTo: certificate?.valid_to ? new Date(certificate.valid_to) : undefined }));
      };
      response.on("end", done);
      response.on("close", done);
      response.on("error", (error) => settle(networkFailure(error, target)));
    });
    request.on("error", (error) => settle(networkFailure(error, target)));
    request.end(spec.body);
  });
}

/** What the answer means, by the spec's expectations. Pure. */
export function judge(spec: HttpCheck, answer: { status: number; body: string; latencyMs: number; certificateValidTo?: Date }, now = new Date()): ProbeResult {
  const { status, latencyMs } = answer;
  const rounded = Math.round(latencyMs);
  const details: Record<string, unknown> = { url: spec.url, method: spec.method, response_status: status };
  if (answer.certificateValidTo) details["certificate_expires_at"] = answer.certificateValidTo.toISOString();
  const fail = (errorCode: string, what: string): ProbeResult => ({ outcome: "fail", latencyMs, errorCode, message: `${errorCode}: ${what}`, details });
  const expected = spec.expected_status ? spec.expected_status.includes(status) : status >= 200 && status < 400;
  if (!expected) return fail("UNEXPECTED_STATUS", `answered ${status}, expected ${spec.expected_status?.join(" or ") ?? "2xx or 3xx"}`);
  if (spec.body_contains !== undefined && !answer.body.includes(spec.body_contains)) return fail("KEYWORD_MISSING", `the body does not contain ${JSON.stringify(spec.body_contains)}`);
  if (spec.json_path !== undefined) {
    let document: unknown;
    try {
      document = JSON.parse(answer.body);
    } catch {
      return fail("INVALID_JSON", "the body is not JSON");
    }
    const at = atJsonPath(document, spec.json_path);
    if (!at.found) return fail("JSON_PATH_MISSING", `nothing at ${spec.json_path}`);
    if (spec.json_equals !== undefined && at.value !== spec.json_equals) {
      return fail("JSON_VALUE_MISMATCH", `${spec.json_path} is ${JSON.stringify(at.value)}, expected ${JSON.stringify(spec.json_equals)}`);
    }
  }
  if (answer.certificateValidTo && spec.tls_expiry_warn_days > 0) {
    const left = (answer.certificateValidTo.getTime() - now.getTime()) / DAY_MS;
    if (left <= spec.tls_expiry_warn_days) {
      const errorCode = `TLS_EXPIRES_IN_${spec.tls_expiry_warn_days}D`;
      const days = Math.max(0, Math.ceil(left));
      return { outcome: "warn", latencyMs, errorCode, message: `${errorCode}: answered ${status} in ${rounded} ms; the certificate expires in ${days} day${days === 1 ? "" : "s"} (${answer.certificateValidTo.toISOString().slice(0, 10)})`, details };
    }
  }
  return { outcome: "pass", latencyMs, message: `answered ${status} in ${rounded} ms`, details };
}
