import { RequestError } from "../../../domain/request-error.ts";
import { CHECK_KINDS, type CheckKind } from "../../../domain/vocabulary.ts";
import { createCheck, getCheck } from "../../../checks/repository.ts";
import { asActor } from "../../../db/scoped.ts";
import { defineRoute } from "../../route.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { presentCheck } from "./present.ts";
import { Check, CheckCreate } from "./schema.ts";

const createCheckRoute = defineRoute({
  method: "post",
  path: "/checks",
  tags: ["checks"],
  summary: "Probe a service's endpoint on a schedule",
  description:
    "Failsight probes the target every `interval_seconds` (HTTP(S), TCP or DNS) and stores each result as an event of the service, so /status, uptime, metrics and alerts follow it. A failure is confirmed by a second attempt before it is recorded. The first probe runs within a second.",
  access: "manage",
  request: { body: { required: true, content: { "application/json": { schema: CheckCreate } } } },
  errors: { conflict: "A check with that name exists" },
  responses: { 201: { description: "Created", content: { "application/json": { schema: Check } } } },
});

export function registerCreateCheck(app: Router, deps: AppDeps) {
  app.openapi(createCheckRoute, async (c) => {
    const body = c.req.valid("json");
    const kind = CHECK_KINDS.find((k) => body[k] !== undefined) as CheckKind;
    const created = await asActor(deps.sql, c.get("actor"), async ({ sql, db, afterCommit }) => {
      // A new name is registered as ingest registers it (an operator's belongs to its team);
      // the checks_write policy then decides whether the caller may watch this service.
      const ids = await deps.serviceIds.register(sql, [body.service], afterCommit);
      const row = await createCheck(db, { name: body.name, serviceId: ids.get(body.service)!, kind, spec: body[kind]!, intervalSeconds: body.interval_seconds, timeoutMs: body.timeout_ms });
      if (!row) throw new RequestError("conflict", `a check named ${body.name} exists; DELETE /checks/${body.name} first to replace it`);
      return getCheck(db, body.name);
    });
    deps.checksChanged?.();
    return c.json(presentCheck(created!, deps.now()), 201, { location: `/checks/${encodeURIComponent(body.name)}` });
  });
}
