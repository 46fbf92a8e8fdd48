import { RequestError } from "../../../domain/request-error.ts";
import { createUser, listUsers } from "../../../access/repository.ts";
import type { AppDeps } from "../../deps.ts";
import { defineRoute } from "../../route.ts";
import type { Router } from "../../router.ts";
import { adminListRoute, asCaller } from "./admin-route.ts";
import { User, UserCreate } from "./schema.ts";

const listRoute = adminListRoute("/admin/users", "List users", User);
const createUserRoute = defineRoute({
  method: "post",
  path: "/admin/users",
  tags: ["admin"], access: "admin",
  summary: "Create a user",
  request: { body: { required: true, content: { "application/json": { schema: UserCreate } } } },
  errors: { conflict: "A user with that name exists" },
  responses: { 201: { description: "Created", content: { "application/json": { schema: User } } } },
});

export function registerUsers(app: Router, deps: AppDeps) {
  app.openapi(listRoute, async (c) => c.json({ items: await asCaller(deps, c.get("actor"), (sql) => listUsers(sql)) }, 200));
  app.openapi(createUserRoute, async (c) => {
    const body = c.req.valid("json");
    const user = await asCaller(deps, c.get("actor"), (sql) => createUser(sql, body.name, body.role, body.teams));
    if (!user) throw new RequestError("conflict", `a user named ${body.name} exists`);
    return c.json(user, 201);
  });
}
