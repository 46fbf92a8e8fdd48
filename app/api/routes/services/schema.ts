import { z } from "@hono/zod-openapi";
import { nameSchema } from "../../../domain/names.ts";
import { storableText } from "../../../domain/text-schema.ts";
import { Thresholds } from "../status/schema.ts";

const name = nameSchema();

export const ServiceName = z.object({ name: z.string().openapi({ param: { name: "name", in: "path" }, example: "checkout" }) });

/** Overrides only; a `null` removes an override so the default applies again. */
const ThresholdOverrides = z
  .strictObject({
    error_rate_degraded: Thresholds.shape.error_rate_degraded.nullable(),
    error_rate_down: Thresholds.shape.error_rate_down.nullable(),
    p95_latency_ms_degraded: Thresholds.shape.p95_latency_ms_degraded.nullable(),
    silence_seconds_down: Thresholds.shape.silence_seconds_down,
    slo_target: Thresholds.shape.slo_target.nullable(),
  })
  .partial()
  .openapi("ThresholdOverrides");

const fields = {
  type: storableText(64).pipe(z.string().min(1)).openapi({ description: "What kind of thing this is.", example: "http" }),
  owner_team: storableText(128).pipe(z.string().min(1)).nullable().openapi({ example: "payments" }),
  tier: z.number().int().min(1).max(4).nullable().openapi({ description: "1 is most critical.", example: 1 }),
  thresholds: ThresholdOverrides,
  depends_on: z
    .array(nameSchema())
    .max(100)
    .refine((names) => new Set(names).size === names.length, "names each service once")
    .openapi({ description: "Services this one calls: when one is down, this one is `impacted` and its alerts are silenced by the root cause's. Replaces the declared list; traces add inferred ones (GET /services/{name}/dependencies).", example: ["payments-db"] }),
};

export const ServiceCreate = z
  .strictObject({ name, ...fields, type: fields.type.optional(), owner_team: fields.owner_team.optional(), tier: fields.tier.optional(), thresholds: fields.thresholds.optional(), depends_on: fields.depends_on.optional() })
  .openapi("ServiceCreate");

export const ServicePatch = z
  .strictObject(fields)
  .partial()
  .refine((v) => Object.keys(v).length > 0, "give at least one field to change")
  .openapi("ServicePatch");

export const Service = z
  .object({
    name: z.string(),
    type: z.string(),
    owner_team: z.string().nullable(),
    tier: z.number().int().nullable(),
    thresholds: ThresholdOverrides,
    depends_on: z.array(z.string()).openapi({ description: "The services it declares it depends on." }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Service");

const Dependency = z.object({
  service: z.string(),
  declared: z.boolean(),
  inferred: z.boolean().openapi({ description: "Seen in traces in the last 7 days." }),
  inferred_at: z.string().nullable().openapi({ description: "When traces last showed it." }),
});

export const ServiceDependencies = z
  .object({
    service: z.string(),
    depends_on: z.array(Dependency).openapi({ description: "Services this one calls." }),
    dependents: z.array(Dependency).openapi({ description: "Services that call this one." }),
  })
  .openapi("ServiceDependencies");
