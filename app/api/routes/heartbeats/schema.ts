import { z } from "@hono/zod-openapi";
import { PING_KINDS, SERVICE_STATES } from "../../../domain/vocabulary.ts";
import { HEARTBEAT_LIMITS } from "../../../checks/heartbeat-limits.ts";

export const HeartbeatSet = z
  .strictObject({
    period_seconds: z
      .number()
      .int()
      .min(HEARTBEAT_LIMITS.minPeriodSeconds)
      .max(HEARTBEAT_LIMITS.maxPeriodSeconds)
      .openapi({ description: "How often the job pings at the least.", example: 3600 }),
    grace_seconds: z
      .number()
      .int()
      .min(0)
      .max(HEARTBEAT_LIMITS.maxGraceSeconds)
      .default(HEARTBEAT_LIMITS.defaultGraceSeconds)
      .openapi({ description: "How late a ping may be before the service is down; also how long a started job may run.", example: 300 }),
  })
  .openapi("HeartbeatSet");

export const Heartbeat = z
  .object({
    service: z.string(),
    period_seconds: z.number().int(),
    grace_seconds: z.number().int(),
    created_at: z.string(),
    last_ping_at: z.string().nullable(),
    last_ping_kind: z.enum(PING_KINDS).nullable(),
    last_success_at: z.string().nullable(),
    state: z.enum(SERVICE_STATES).openapi({ description: "What the pings say now; `unknown` while waiting for the first one." }),
    reason: z.string(),
  })
  .openapi("Heartbeat");

export const HeartbeatIssued = Heartbeat.extend({
  token: z.string().openapi({ description: "Shown this once; a new POST issues another and revokes this one." }),
  ping_url: z.string().openapi({ example: "https://failsight.example.com/ping/3q2-…" }),
}).openapi("HeartbeatIssued");

export const PingToken = z.object({ token: z.string().openapi({ param: { name: "token", in: "path" } }) });
