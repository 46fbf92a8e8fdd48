import { z } from "@hono/zod-openapi";
import { SERVICE_STATES } from "../../../domain/vocabulary.ts";
import { DEFAULT_WINDOW, WINDOW_RULE } from "../../../status/window.ts";

const StateEnum = z.enum(SERVICE_STATES);

export const Thresholds = z
  .object({
    error_rate_degraded: z.number().min(0).max(1).openapi({ description: "Error ratio at or above which the service is degraded.", example: 0.05 }),
    error_rate_down: z.number().min(0).max(1).openapi({ description: "Error ratio at or above which the service is down.", example: 0.5 }),
    p95_latency_ms_degraded: z.number().positive().openapi({ description: "p95 latency (ms) at or above which the service is degraded.", example: 1000 }),
    silence_seconds_down: z.number().int().positive().nullable().openapi({ description: "Down when no event arrived for this long; null: silence alone is not down.", example: 120 }),
    slo_target: z.number().min(0.5).max(0.99999).openapi({ description: "30-day availability objective the burn-rate alerts use.", example: 0.999 }),
  })
  .openapi("Thresholds");

export const StatusQuery = z.strictObject({
  window: z.string().default(DEFAULT_WINDOW).openapi({ description: `Look-back window: ${WINDOW_RULE}. From a minute up it covers whole minutes (the current one so far and those back to the one the window starts in); under a minute, exactly.`, example: "5m" }),
});

export const ServiceStatus = z
  .object({
    service: z.string(),
    owner_team: z.string().nullable(),
    state: StateEnum,
    reason: z.string().openapi({ example: "error rate 7.5% ≥ 5.0%" }),
    impacted_by: z.array(z.string()).openapi({ description: "When `impacted`: the down services it depends on (directly or not) that are the root cause." }),
    requests: z.number().int().openapi({ description: "Events in the window." }),
    errors: z.number().int().openapi({ description: "Events with a 5xx status, or error/fatal level without a status." }),
    error_rate: z.number(),
    latency_ms: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() }),
    last_event_at: z.string().nullable(),
    thresholds: Thresholds.openapi({ description: "In force: the service's overrides over the defaults." }),
  })
  .openapi("ServiceStatus");

export const StatusList = z
  .object({ window: z.string(), evaluated_at: z.string(), services: z.array(ServiceStatus) })
  .openapi("StatusList");

export const ServiceStatusDetail = ServiceStatus.extend({
  window: z.string(),
  evaluated_at: z.string(),
  uptime: z
    .object({ "24h": z.number().nullable(), "7d": z.number().nullable(), "30d": z.number().nullable() })
    .openapi({ description: "Share of known time not `down`, from recorded state transitions; null when nothing is known yet." }),
}).openapi("ServiceStatusDetail");

export const StatusEvent = z
  .object({ at: z.string(), from: StateEnum, to: StateEnum, reason: z.string() })
  .openapi("StatusEvent");

export const StatusEventsQuery = z.strictObject({
  from: z.string().default("now-7d").openapi({ description: "ISO-8601, epoch ms or `now-<n><unit>`." }),
  to: z.string().default("now"),
});
