import { RequestError } from "../../../domain/request-error.ts";
import { defineRoute } from "../../route.ts";
import { createService, getService } from "../../../services/repository.ts";
import { asActor } from "../../../db/scoped.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { changesFrom, declareDependencies, presentService, requireTeam } from "./present.ts";
import { Service, ServiceCreate } from "./schema.ts";

const createServiceRoute = defineRoute({
  method: "post",
  path: "/services",
  tags: ["services"],
  summary: "Register a service",
  access: "manage",
  description: "Services are also registered on first sight by ingest; this sets their owner, tier and thresholds up front.",
  request: { body: { required: true, content: { "application/json": { schema: ServiceCreate } } } },
  errors: { "conflict": "A service with that name exists" },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: Service } } },
  },
});

export function registerCreateService(app: Router, deps: AppDeps) {
  app.openapi(createServiceRoute, async (c) => {
    const body = c.req.valid("json");
    const created = await asActor(deps.sql, c.get("actor"), async ({ sql, db }) => {
      await requireTeam(db, body.owner_team);
      const row = await createService(db, body.name, changesFrom(body));
      if (row) {
        if (body.depends_on) await declareDependencies(sql, row, body.depends_on);
        return row;
      }
      // Taken. Say so only to a caller who may see the service: to anyone else, "exists"
      // would confirm a service of another team (the name space is global, so the refusal
      // itself cannot be hidden; its reason can).
      if (await getService(db, body.name)) throw new RequestError("conflict", `a service named ${body.name} exists; PATCH /services/${body.name} changes it`);
      throw new RequestError("forbidden", `not entitled to register a service named ${body.name}`);
    });
    return c.json(presentService(created, body.depends_on ?? []), 201, { location: `/services/${encodeURIComponent(created.name)}` });
  });
}
