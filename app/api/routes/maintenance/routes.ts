import { RequestError } from "../../../domain/request-error.ts";
import { createMaintenance, endMaintenance, listMaintenance, type MaintenanceWindow } from "../../../incidents/maintenance.ts";
import { resolveServices } from "../../../services/resolve.ts";
import { asActor } from "../../../db/scoped.ts";
import { defineRoute } from "../../route.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { Maintenance, MaintenanceCreate, MaintenanceId, MaintenanceList, MaintenanceListQuery } from "./schema.ts";

const createRoute = defineRoute({
  method: "post",
  path: "/maintenance",
  tags: ["incidents"],
  summary: "Schedule a maintenance window",
  description:
    "While it is on, its services are `maintenance`: checks, heartbeats, errors and dependencies change nothing, the alerts of the chart's rules hold, and the time counts neither way for uptime. Status pages announce it ahead.",
  access: "manage",
  request: { body: { required: true, content: { "application/json": { schema: MaintenanceCreate } } } },
  responses: { 201: { description: "Scheduled", content: { "application/json": { schema: Maintenance } } } },
});

const listRoute = defineRoute({
  method: "get",
  path: "/maintenance",
  tags: ["incidents"],
  summary: "Maintenance windows of the services the key may see",
  access: "read",
  request: { query: MaintenanceListQuery },
  responses: { 200: { description: "By start", content: { "application/json": { schema: MaintenanceList } } } },
});

const endRoute = defineRoute({
  method: "delete",
  path: "/maintenance/{id}",
  tags: ["incidents"],
  summary: "End a maintenance window now (or cancel one not started)",
  access: "manage",
  request: { params: MaintenanceId },
  errors: { "not-found": "No such window on now or ahead, or one the key may not change" },
  responses: { 204: { description: "Ended" } },
});

function presentMaintenance(w: MaintenanceWindow, now: Date) {
  return { id: w.id, title: w.title, description: w.description, starts_at: w.startsAt.toISOString(), ends_at: w.endsAt.toISOString(), services: w.services, active: w.startsAt <= now && now < w.endsAt };
}

export function registerMaintenance(app: Router, deps: AppDeps) {
  app.openapi(createRoute, async (c) => {
    const body = c.req.valid("json");
    const created = await asActor(deps.sql, c.get("actor"), async ({ sql }) => {
      const ids = await resolveServices(sql, body.services, "services", true);
      const id = await createMaintenance(sql, { title: body.title, description: body.description, startsAt: new Date(body.starts_at), endsAt: new Date(body.ends_at) }, ids);
      return (await listMaintenance(sql, { id }))[0]!;
    });
    deps.stateMayHaveChanged?.();
    return c.json(presentMaintenance(created, deps.now()), 201, { location: `/maintenance/${created.id}` });
  });
  app.openapi(listRoute, async (c) => {
    const { include } = c.req.valid("query");
    const now = deps.now();
    const windows = await asActor(deps.sql, c.get("actor"), ({ sql }) => listMaintenance(sql, include === "current" ? { endingAfter: now } : {}));
    return c.json({ items: windows.map((w) => presentMaintenance(w, now)) }, 200);
  });
  app.openapi(endRoute, async (c) => {
    const { id } = c.req.valid("param");
    const ended = await asActor(deps.sql, c.get("actor"), async ({ sql }) => {
      const [window] = await listMaintenance(sql, { id });
      if (!window) return false;
      await resolveServices(sql, window.services, "services", true);
      return endMaintenance(sql, id, deps.now());
    });
    if (!ended) throw new RequestError("not-found", `no maintenance window ${id} on now or ahead that this key may change`);
    deps.stateMayHaveChanged?.();
    return c.body(null, 204);
  });
}
