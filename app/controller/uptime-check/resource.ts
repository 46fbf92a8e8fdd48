import { z } from "zod";
import { CHECK_LIMITS, CHECK_SPECS, DNS_RECORD_TYPES, HTTP_CHECK_METHODS, type CheckSpec } from "../../domain/check-spec.ts";
import { parseDuration } from "../../domain/time-expression.ts";
import type { CheckKind, CheckOutcome } from "../../domain/vocabulary.ts";
import type { Condition, KubeObject, ResourceKind } from "../machine/kube-object.ts";

// The UptimeCheck custom resource as the controller sees it: Kubernetes' camelCase, turned
// into the same check the API takes (domain/check-spec.ts), whose rules decide. The CRD's
// schema in charts/failsight/crds/ is the API server's copy of the shape.

export const UPTIME_CHECK_KIND: ResourceKind = { group: "failsight.io", version: "v1alpha1", plural: "uptimechecks", kind: "UptimeCheck" };

export type UptimeCheckStatus = {
  observedGeneration?: number;
  conditions?: Condition[];
  /** The row in Failsight's checks (GET /checks/{name}). */
  checkName?: string;
  lastResult?: { time: string; outcome: CheckOutcome; latencyMs: number | null; errorCode: string | null; message: string | null } | null;
};

export type UptimeCheckObject = KubeObject<UptimeCheckStatus>;

const duration = (fallback: string, minMs: number, maxMs: number) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      // A timeout may be under a second (500ms); the shared parser knows seconds and up.
      const ms = /^\d{1,6}ms$/.test(v.trim()) ? Number(v.trim().slice(0, -2)) : parseDuration(v);
      if (ms === undefined || ms < minMs || ms > maxMs) {
        ctx.addIssue({ code: "custom", message: `must be a duration from ${minMs / 1000}s to ${maxMs / 1000}s, like 30s or 5m` });
        return z.NEVER;
      }
      return ms;
    });

const Spec = z.object({
  service: z.string().min(1),
  interval: duration(`${CHECK_LIMITS.defaultIntervalSeconds}s`, CHECK_LIMITS.minIntervalSeconds * 1000, CHECK_LIMITS.maxIntervalSeconds * 1000),
  timeout: duration(`${CHECK_LIMITS.defaultTimeoutMs / 1000}s`, CHECK_LIMITS.minTimeoutMs, CHECK_LIMITS.maxTimeoutMs),
  http: z
    .object({
      url: z.string(),
      method: z.enum(HTTP_CHECK_METHODS).optional(),
      expectedStatus: z.array(z.number().int()).optional(),
      bodyContains: z.string().optional(),
      jsonPath: z.string().optional(),
      /** A JSON literal (true, 3, null, "x") or, when it is not one, a string. */
      jsonEquals: z.string().optional(),
      headers: z.record(z.string(), z.string()).optional(),
      headersFrom: z.object({ secretName: z.string().min(1) }).optional(),
      tlsCA: z.string().optional(),
      tlsExpiryWarnDays: z.number().int().optional(),
    })
    .optional(),
  tcp: z.object({ host: z.string(), port: z.number().int() }).optional(),
  dns: z.object({ hostname: z.string(), recordType: z.enum(DNS_RECORD_TYPES).optional(), expect: z.string().optional(), resolver: z.string().optional() }).optional(),
});

/** What the controller keeps in Failsight's checks for one object. */
export type DesiredCheck = { service: string; kind: CheckKind; spec: CheckSpec; intervalSeconds: number; timeoutMs: number; headersFrom?: string };

function jsonLiteral(text: string): string | number | boolean | null {
  try {
    const value: unknown = JSON.parse(text);
    return value === null || ["string", "number", "boolean"].includes(typeof value) ? (value as string | number | boolean | null) : text;
  } catch {
    return text;
  }
}

/**
 * The check an UptimeCheck asks for, with `secretHeaders` (from spec.http.headersFrom) under
 * its own headers, or why it cannot be one: every message names the spec field. Pure.
 */
export function desiredCheck(raw: unknown, secretHeaders: Record<string, string> = {}): { ok: true; value: DesiredCheck } | { ok: false; message: string } {
  const parsed = Spec.safeParse(raw ?? {});
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((i) => `spec.${i.path.join(".")}: ${i.message}`).join("; ") };
  const s = parsed.data;
  const kinds = (["http", "tcp", "dns"] as const).filter((k) => s[k] !== undefined);
  if (kinds.length !== 1) return { ok: false, message: "spec: give exactly one of http, tcp, dns" };
  const kind = kinds[0]!;
  const candidate =
    kind === "http"
      ? {
          url: s.http!.url,
          ...(s.http!.method ? { method: s.http!.method } : {}),
          ...(s.http!.expectedStatus ? { expected_status: s.http!.expectedStatus } : {}),
          ...(s.http!.bodyContains !== undefined ? { body_contains: s.http!.bodyContains } : {}),
          ...(s.http!.jsonPath !== undefined ? { json_path: s.http!.jsonPath } : {}),
          ...(s.http!.jsonEquals !== undefined ? { json_equals: jsonLiteral(s.http!.jsonEquals) } : {}),
          ...(s.http!.headers || s.http!.headersFrom ? { headers: { ...secretHeaders, ...s.http!.headers } } : {}),
          ...(s.http!.tlsCA !== undefined ? { tls_ca: s.http!.tlsCA } : {}),
          ...(s.http!.tlsExpiryWarnDays !== undefined ? { tls_expiry_warn_days: s.http!.tlsExpiryWarnDays } : {}),
        }
      : kind === "tcp"
        ? s.tcp!
        : { hostname: s.dns!.hostname, ...(s.dns!.recordType ? { record_type: s.dns!.recordType } : {}), ...(s.dns!.expect !== undefined ? { expect: s.dns!.expect } : {}), ...(s.dns!.resolver ? { resolver: s.dns!.resolver } : {}) };
  const checked = CHECK_SPECS[kind].safeParse(candidate);
  if (!checked.success) return { ok: false, message: checked.error.issues.map((i) => `spec.${kind}.${camel(i.path.join("."))}: ${i.message}`).join("; ") };
  return {
    ok: true,
    value: {
      service: s.service,
      kind,
      spec: checked.data as CheckSpec,
      intervalSeconds: Math.round(s.interval / 1000),
      timeoutMs: s.timeout,
      ...(s.http?.headersFrom ? { headersFrom: s.http.headersFrom.secretName } : {}),
    },
  };
}

/** The API's field names back in the resource's camelCase, for messages. */
function camel(path: string): string {
  return path.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()).replace("tlsCa", "tlsCA");
}

/** What the names of one namespace's checks start with. */
export const checkNamePrefix = (namespace: string) => `k8s/${namespace}/`;

/** The row's name in Failsight's checks: unique per cluster namespace and object. */
export const checkNameOf = (object: KubeObject) => `${checkNamePrefix(object.metadata.namespace!)}${object.metadata.name}`;
