import { z } from "@hono/zod-openapi";
import { CHECK_LIMITS, DnsCheckSpec, HttpCheckSpec, TcpCheckSpec } from "../../../domain/check-spec.ts";
import { nameSchema } from "../../../domain/names.ts";
import { CHECK_KINDS, CHECK_OUTCOMES, CHECK_SOURCES, SERVICE_STATES } from "../../../domain/vocabulary.ts";

export const CheckName = z.object({ name: z.string().openapi({ param: { name: "name", in: "path" }, example: "checkout-health" }) });

export const CheckCreate = z
  .strictObject({
    name: nameSchema(),
    service: nameSchema().openapi({ description: "The service the results are events of; registered if new, as ingest would." }),
    interval_seconds: z.number().int().min(CHECK_LIMITS.minIntervalSeconds).max(CHECK_LIMITS.maxIntervalSeconds).default(CHECK_LIMITS.defaultIntervalSeconds),
    timeout_ms: z.number().int().min(CHECK_LIMITS.minTimeoutMs).max(CHECK_LIMITS.maxTimeoutMs).default(CHECK_LIMITS.defaultTimeoutMs),
    http: HttpCheckSpec.openapi("HttpCheck").optional(),
    tcp: TcpCheckSpec.openapi("TcpCheck").optional(),
    dns: DnsCheckSpec.openapi("DnsCheck").optional(),
  })
  .refine((c) => CHECK_KINDS.filter((k) => c[k] !== undefined).length === 1, { message: `give exactly one of ${CHECK_KINDS.join(", ")}`, path: ["http"] })
  .openapi("CheckCreate");

/** What a header value reads as when a check is shown: they are often credentials. */
export const HEADER_SHOWN = "(set)";

export const Check = z
  .object({
    name: z.string(),
    service: z.string(),
    kind: z.enum(CHECK_KINDS),
    source: z.enum(CHECK_SOURCES).openapi({ description: "`kubernetes`: from an UptimeCheck object; change it there." }),
    interval_seconds: z.number().int(),
    timeout_ms: z.number().int(),
    http: z.record(z.string(), z.unknown()).optional().openapi({ description: `The HttpCheck; header values read ${JSON.stringify(HEADER_SHOWN)}.` }),
    tcp: TcpCheckSpec.optional(),
    dns: DnsCheckSpec.optional(),
    created_at: z.string(),
    last_result: z
      .object({ at: z.string(), outcome: z.enum(CHECK_OUTCOMES), latency_ms: z.number().nullable(), error_code: z.string().nullable(), message: z.string().nullable() })
      .nullable(),
    state: z.enum(SERVICE_STATES).openapi({ description: "What the last confirmed result says; `unknown` before the first, or once it is stale." }),
    reason: z.string(),
  })
  .openapi("Check");

export const CheckList = z.object({ items: z.array(Check) }).openapi("CheckList");
export const CheckListQuery = z.strictObject({ service: z.string().optional().openapi({ description: "Only this service's checks." }) });

