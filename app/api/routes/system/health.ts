import { defineRoute } from "../../route.ts";
import { z } from "@hono/zod-openapi";
import { pendingMigrations } from "../../../db/migrate.ts";
import { withTimeout } from "../../../with-timeout.ts";
import type { AppDeps } from "../../deps.ts";
import { problem } from "../../problem.ts";
import type { Router } from "../../router.ts";

const healthRoute = defineRoute({
  method: "get",
  path: "/health",
  tags: ["system"],
  access: "public",
  summary: "Liveness: the process is up",
  errors: { "service-unavailable": "Not ready; `detail` says why" },
  responses: { 200: { description: "Alive", content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } } } },
});

const readyRoute = defineRoute({
  method: "get",
  path: "/ready",
  tags: ["system"],
  access: "public",
  summary: "Readiness: the database answers and every migration is applied",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: z.object({ status: z.literal("ready") }) } } },
  },
});

const READY_TIMEOUT_MS = 900;

export function registerHealth(app: Router, deps: AppDeps) {
  app.openapi(healthRoute, (c) => c.json({ status: "ok" as const }, 200));
  app.openapi(readyRoute, async (c) => {
    try {
      // A probe must answer within its own timeout (kubelet's default is 1 s): a database
      // that does not answer within READY_TIMEOUT_MS is "not ready", not a hung probe.
      const pending = await withTimeout(pendingMigrations(deps.sql), READY_TIMEOUT_MS, () => new Error(`no answer within ${READY_TIMEOUT_MS} ms`));
      if (pending > 0) return problem(c, "service-unavailable", `${pending} migration(s) not applied yet`) as never;
      return c.json({ status: "ready" as const }, 200);
    } catch (error) {
      return problem(c, "service-unavailable", `database unreachable: ${(error as Error).message}`) as never;
    }
  });
}
