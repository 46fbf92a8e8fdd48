import { z } from "zod";
import type { CheckKind } from "./vocabulary.ts";

// What each kind of uptime check probes, in one place: the API's request bodies and the
// UptimeCheck resource take these shapes, the database keeps them as `checks.spec`, and the
// probes (checks/probes/) read them. Plain zod with descriptions (the OpenAPI document
// reads them): the controller loads this, and not the API's OpenAPI layer.

/** A header's name as HTTP allows it (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A host name or an IP address literal (no scheme, no port). */
const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.?|[0-9a-fA-F:.]+)$/;
/** `$.a.b[0].c`: the JSON path subset a check can compare, member names and array indexes. */
export const JSON_PATH = /^\$(\.[A-Za-z_$][A-Za-z0-9_$-]*|\[\d{1,6}\])*$/;

export const HTTP_CHECK_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export const DNS_RECORD_TYPES = ["A", "AAAA", "CNAME", "MX", "TXT", "NS"] as const;

export const HttpCheckSpec = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).max(2048),
    method: z.enum(HTTP_CHECK_METHODS).default("GET"),
    expected_status: z
      .array(z.number().int().min(100).max(599))
      .min(1)
      .max(32)
      .optional()
      .describe("Statuses that pass; absent: any 2xx or 3xx (redirects are not followed)."),
    body_contains: z.string().min(1).max(1024).optional().describe("Text the response body must contain (the first 1 MiB is read)."),
    json_path: z.string().regex(JSON_PATH, "must be a path like $.status or $.items[0].state").optional(),
    json_equals: z
      .union([z.string().max(1024), z.number(), z.boolean(), z.null()])
      .optional()
      .describe("The value at json_path must equal this; absent: the path must exist."),
    headers: z
      .record(z.string().regex(HEADER_NAME, "must be an HTTP header name"), z.string().max(4096))
      .refine((h) => Object.keys(h).length <= 32, "at most 32 headers")
      .optional(),
    body: z.string().max(65536).optional().describe("Request body, for POST and the like."),
    tls_ca: z
      .string()
      .max(65536)
      .regex(/-----BEGIN CERTIFICATE-----/, "must be PEM certificates")
      .optional()
      .describe("PEM certificates to trust for an https target besides the system's (an internal CA)."),
    tls_expiry_warn_days: z
      .number()
      .int()
      .min(0)
      .max(365)
      .default(7)
      .describe("An https target whose certificate expires within this many days is `warn` (TLS_EXPIRES_IN_<n>D); 0 turns the warning off."),
  })
  .refine((s) => s.json_equals === undefined || s.json_path !== undefined, { message: "json_equals needs json_path", path: ["json_equals"] });

export const TcpCheckSpec = z
  .strictObject({
    host: z.string().max(253).regex(HOST, "must be a host name or an IP address"),
    port: z.number().int().min(1).max(65535),
  });

export const DnsCheckSpec = z
  .strictObject({
    hostname: z.string().max(253).regex(HOST, "must be a host name"),
    record_type: z.enum(DNS_RECORD_TYPES).default("A"),
    expect: z.string().min(1).max(1024).optional().describe("A value one of the answers must equal (an address, a target, a TXT string); absent: any answer passes."),
    resolver: z
      .string()
      .regex(/^[0-9a-fA-F:.]+(:\d{1,5})?$|^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/, "must be an IP address, optionally with :port")
      .optional()
      .describe("The DNS server to ask; absent: the system's resolvers."),
  });

export type HttpCheck = z.output<typeof HttpCheckSpec>;
export type TcpCheck = z.output<typeof TcpCheckSpec>;
export type DnsCheck = z.output<typeof DnsCheckSpec>;
export type CheckSpec = HttpCheck | TcpCheck | DnsCheck;

/** The spec schema of each kind: a check body names exactly one of these keys. */
export const CHECK_SPECS = { http: HttpCheckSpec, tcp: TcpCheckSpec, dns: DnsCheckSpec } satisfies Record<CheckKind, z.ZodType>;


/** Bounds of a check's schedule; a probe's timeout must leave room for its retry within the interval. */
export const CHECK_LIMITS = {
  minIntervalSeconds: 1,
  maxIntervalSeconds: 86_400,
  defaultIntervalSeconds: 60,
  minTimeoutMs: 100,
  maxTimeoutMs: 60_000,
  defaultTimeoutMs: 10_000,
} as const;
