import { createRoute } from "@hono/zod-openapi";
import { createUser, listUsers } from "../../../access/repository.ts";
import type { AppDeps } from "../../deps.ts";
import { ApiError, problemResponse } from "../../problem.ts";
import type { Router } from "../../router.ts";
import { adminAccess, adminErrors, adminListRoute, asAdmin } from "./admin-route.ts";
import { User, UserCreate } from "./schema.ts";

const listRoute = adminListRoute("/admin/users", "List users", User);
const createUserRoute = createRoute({
  method: "post",
  path: "/admin/users",
  ...adminAccess,
  summary: "Create a user",
  request: { body: { required: true, content: { "application/json": { schema: UserCreate } } } },
  responses: { 201: { description: "Created", content: { "application/json": { schema: User } } }, ...adminErrors, 409: problemResponse("A user with that name exists") },
});

export function registerUsers(app: Router, deps: AppDeps) {
  app.openapi(listRoute, async (c) => c.json({ items: await asAdmin(deps, c.get("actor"), (sql) => listUsers(sql)) }, 200));
  app.openapi(createUserRoute, async (c) => {
    const body = c.req.valid("json");
    const user = await asAdmin(deps, c.get("actor"), (sql) => createUser(sql, body.name, body.role, body.teams));
    if (!user) throw new ApiError("conflict", `a user named ${body.name} exists`);
    return c.json(user, 201);
  });
}
