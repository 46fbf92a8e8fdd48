import { createRoute, z } from "@hono/zod-openapi";
import { createGrant, deleteGrant, listGrants } from "../../../access/repository.ts";
import type { AppDeps } from "../../deps.ts";
import { ApiError, notFoundResponse } from "../../problem.ts";
import type { Router } from "../../router.ts";
import { adminAccess, adminErrors, adminListRoute, asAdmin } from "./admin-route.ts";
import { Grant, GrantCreate } from "./schema.ts";

const listRoute = adminListRoute("/admin/grants", "List grants", Grant);
const createGrantRoute = createRoute({
  method: "post",
  path: "/admin/grants",
  ...adminAccess,
  summary: "Entitle a team or a user to a service",
  description: "read: see its logs and status. write: also ingest for it (operators).",
  request: { body: { required: true, content: { "application/json": { schema: GrantCreate } } } },
  responses: { 201: { description: "Created", content: { "application/json": { schema: Grant } } }, ...adminErrors, ...notFoundResponse },
});
const deleteRoute = createRoute({ method: "delete", path: "/admin/grants/{id}", ...adminAccess, summary: "Remove a grant", request: { params: z.object({ id: z.coerce.number().int().positive() }) }, responses: { 204: { description: "Removed" }, ...adminErrors, ...notFoundResponse } });

export function registerGrants(app: Router, deps: AppDeps) {
  app.openapi(listRoute, async (c) => c.json({ items: await asAdmin(deps, c.get("actor"), (sql) => listGrants(sql)) }, 200));
  app.openapi(createGrantRoute, async (c) => {
    const body = c.req.valid("json");
    const grant = await asAdmin(deps, c.get("actor"), (sql) => createGrant(sql, body.service, { ...(body.team ? { team: body.team } : {}), ...(body.user ? { user: body.user } : {}) }, body.access));
    if (!grant) throw new ApiError("not-found", `no service ${body.service}, or no ${body.team ? `team ${body.team}` : `user ${body.user}`}`);
    return c.json(grant, 201);
  });
  app.openapi(deleteRoute, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await asAdmin(deps, c.get("actor"), (sql) => deleteGrant(sql, id)))) throw new ApiError("not-found", `no grant ${id}`);
    return c.body(null, 204);
  });
}
