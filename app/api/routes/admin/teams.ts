import { RequestError } from "../../../domain/request-error.ts";
import { z } from "@hono/zod-openapi";
import { addMember, createTeam, listTeams, removeMember } from "../../../access/repository.ts";
import type { AppDeps } from "../../deps.ts";
import { defineRoute } from "../../route.ts";
import type { Router } from "../../router.ts";
import { adminListRoute, asCaller } from "./admin-route.ts";
import { Team, TeamCreate } from "./schema.ts";

const member = z.object({ team: z.string(), user: z.string() });
const listRoute = adminListRoute("/admin/teams", "List teams and members", Team);
const createTeamRoute = defineRoute({
  method: "post",
  path: "/admin/teams",
  tags: ["admin"], access: "admin",
  summary: "Create a team",
  description: "A team owns the services whose owner_team names it; its members see them.",
  request: { body: { required: true, content: { "application/json": { schema: TeamCreate } } } },
  errors: { conflict: "A team with that name exists" },
  responses: { 201: { description: "Created", content: { "application/json": { schema: Team } } } },
});
const addRoute = defineRoute({ method: "put", path: "/admin/teams/{team}/members/{user}", tags: ["admin"], access: "admin", summary: "Add a user to a team", request: { params: member }, responses: { 204: { description: "Member" } }, errors: { "not-found": "No such team, user or membership" } });
const removeRoute = defineRoute({ method: "delete", path: "/admin/teams/{team}/members/{user}", tags: ["admin"], access: "admin", summary: "Remove a user from a team", request: { params: member }, responses: { 204: { description: "Removed" } }, errors: { "not-found": "No such team, user or membership" } });

export function registerTeams(app: Router, deps: AppDeps) {
  app.openapi(listRoute, async (c) => c.json({ items: await asCaller(deps, c.get("actor"), (sql) => listTeams(sql)) }, 200));
  app.openapi(createTeamRoute, async (c) => {
    const { name } = c.req.valid("json");
    if (!(await asCaller(deps, c.get("actor"), (sql) => createTeam(sql, name)))) throw new RequestError("conflict", `a team named ${name} exists`);
    return c.json({ name, members: [] }, 201);
  });
  app.openapi(addRoute, async (c) => {
    const { team, user } = c.req.valid("param");
    if (!(await asCaller(deps, c.get("actor"), (sql) => addMember(sql, team, user)))) throw new RequestError("not-found", `no team ${team} or no user ${user}`);
    return c.body(null, 204);
  });
  app.openapi(removeRoute, async (c) => {
    const { team, user } = c.req.valid("param");
    if (!(await asCaller(deps, c.get("actor"), (sql) => removeMember(sql, team, user)))) throw new RequestError("not-found", `${user} is not a member of ${team}`);
    return c.body(null, 204);
  });
}
