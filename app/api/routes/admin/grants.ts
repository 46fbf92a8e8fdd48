import { RequestError } from "../../../domain/request-error.ts";
import { z } from "@hono/zod-openapi";
import { createGrant, deleteGrant, listGrants } from "../../../access/repository.ts";
import type { AppDeps } from "../../deps.ts";
import { defineRoute } from "../../route.ts";
import type { Router } from "../../router.ts";
import { adminListRoute, asCaller } from "./admin-route.ts";
import { Grant, GrantCreate } from "./schema.ts";

const listRoute = adminListRoute("/admin/grants", "List grants", Grant);
const createGrantRoute = defineRoute({
  method: "post",
  path: "/admin/grants",
  tags: ["admin"], access: "admin",
  summary: "Entitle a team or a user to a service",
  description: "read: see its logs and status. write: also ingest for it (operators).",
  request: { body: { required: true, content: { "application/json": { schema: GrantCreate } } } },
  responses: { 201: { description: "Created", content: { "application/json": { schema: Grant } } } }, errors: { "not-found": "No such service, team, user or grant" },
});
const deleteRoute = defineRoute({ method: "delete", path: "/admin/grants/{id}", tags: ["admin"], access: "admin", summary: "Remove a grant", request: { params: z.object({ id: z.coerce.number().int().positive() }) }, responses: { 204: { description: "Removed" } }, errors: { "not-found": "No such service, team, user or grant" } });

export function registerGrants(app: Router, deps: AppDeps) {
  app.openapi(listRoute, async (c) => c.json({ items: await asCaller(deps, c.get("actor"), (sql) => listGrants(sql)) }, 200));
  app.openapi(createGrantRoute, async (c) => {
    const body = c.req.valid("json");
    const grant = await asCaller(deps, c.get("actor"), (sql) => createGrant(sql, body.service, { ...(body.team ? { team: body.team } : {}), ...(body.user ? { user: body.user } : {}) }, body.access));
    if (!grant) throw new RequestError("not-found", `no service ${body.service}, or no ${body.team ? `team ${body.team}` : `user ${body.user}`}`);
    return c.json(grant, 201);
  });
  app.openapi(deleteRoute, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await asCaller(deps, c.get("actor"), (sql) => deleteGrant(sql, id)))) throw new RequestError("not-found", `no grant ${id}`);
    return c.body(null, 204);
  });
}
