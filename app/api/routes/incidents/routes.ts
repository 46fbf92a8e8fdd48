import { RequestError } from "../../../domain/request-error.ts";
import { createIncident, listIncidents, updateIncident, type Incident as IncidentRecord } from "../../../incidents/incidents.ts";
import { resolveServices } from "../../../services/resolve.ts";
import { asActor } from "../../../db/scoped.ts";
import type { Sql } from "../../../db/client.ts";
import { defineRoute } from "../../route.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { Incident, IncidentCreate, IncidentId, IncidentList, IncidentListQuery, IncidentUpdateCreate } from "./schema.ts";

const NOT_FOUND = "No such incident, or one the key may not see";

const createRoute = defineRoute({
  method: "post",
  path: "/incidents",
  tags: ["incidents"],
  summary: "Declare an incident",
  description: "Status pages listing any of its services show it with its updates until it is resolved, and for 14 days after.",
  access: "manage",
  request: { body: { required: true, content: { "application/json": { schema: IncidentCreate } } } },
  responses: { 201: { description: "Declared", content: { "application/json": { schema: Incident } } } },
});

const listRoute = defineRoute({
  method: "get",
  path: "/incidents",
  tags: ["incidents"],
  summary: "Incidents of the services the key may see",
  access: "read",
  request: { query: IncidentListQuery },
  responses: { 200: { description: "Newest first", content: { "application/json": { schema: IncidentList } } } },
});

const getRoute = defineRoute({
  method: "get",
  path: "/incidents/{id}",
  tags: ["incidents"],
  summary: "One incident and its updates",
  access: "read",
  request: { params: IncidentId },
  errors: { "not-found": NOT_FOUND },
  responses: { 200: { description: "The incident", content: { "application/json": { schema: Incident } } } },
});

const updateRoute = defineRoute({
  method: "post",
  path: "/incidents/{id}/updates",
  tags: ["incidents"],
  summary: "Post an update; its status becomes the incident's (`resolved` closes it)",
  access: "manage",
  request: { params: IncidentId, body: { required: true, content: { "application/json": { schema: IncidentUpdateCreate } } } },
  errors: { "not-found": NOT_FOUND },
  responses: { 201: { description: "Posted", content: { "application/json": { schema: Incident } } } },
});

function presentIncident(i: IncidentRecord) {
  return {
    id: i.id,
    title: i.title,
    status: i.status,
    started_at: i.startedAt.toISOString(),
    resolved_at: i.resolvedAt?.toISOString() ?? null,
    services: i.services,
    updates: i.updates.map((u) => ({ status: u.status, message: u.message, at: u.at.toISOString() })),
  };
}

const one = async (sql: Sql, id: number) => (await listIncidents(sql, { id }))[0];

export function registerIncidents(app: Router, deps: AppDeps) {
  app.openapi(createRoute, async (c) => {
    const body = c.req.valid("json");
    const created = await asActor(deps.sql, c.get("actor"), async ({ sql }) => {
      const ids = await resolveServices(sql, body.services, "services", true);
      return one(sql, await createIncident(sql, body, ids));
    });
    return c.json(presentIncident(created!), 201, { location: `/incidents/${created!.id}` });
  });
  app.openapi(listRoute, async (c) => {
    const { include } = c.req.valid("query");
    const items = await asActor(deps.sql, c.get("actor"), ({ sql }) => listIncidents(sql, include === "open" ? { resolvedAfter: deps.now() } : {}));
    return c.json({ items: items.map(presentIncident) }, 200);
  });
  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid("param");
    const incident = await asActor(deps.sql, c.get("actor"), ({ sql }) => one(sql, id));
    if (!incident) throw new RequestError("not-found", `no incident ${id}`);
    return c.json(presentIncident(incident), 200);
  });
  app.openapi(updateRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const updated = await asActor(deps.sql, c.get("actor"), async ({ sql }) => {
      const incident = await one(sql, id);
      if (!incident) return undefined;
      await resolveServices(sql, incident.services, "services", true);
      if (!(await updateIncident(sql, id, body))) return undefined;
      return one(sql, id);
    });
    if (!updated) throw new RequestError("not-found", `no incident ${id} that this key may change`);
    return c.json(presentIncident(updated), 201);
  });
}
