import { RequestError } from "../../../domain/request-error.ts";
import { deleteCheck } from "../../../checks/repository.ts";
import { asActor } from "../../../db/scoped.ts";
import { defineRoute } from "../../route.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { CheckName } from "./schema.ts";

const deleteCheckRoute = defineRoute({
  method: "delete",
  path: "/checks/{name}",
  tags: ["checks"],
  summary: "Stop a check (its results stay as events)",
  access: "manage",
  request: { params: CheckName },
  errors: { "not-found": "No such check, or the key may not change its service" },
  responses: { 204: { description: "Deleted" } },
});

export function registerDeleteCheck(app: Router, deps: AppDeps) {
  app.openapi(deleteCheckRoute, async (c) => {
    const { name } = c.req.valid("param");
    if (!(await asActor(deps.sql, c.get("actor"), ({ db }) => deleteCheck(db, name)))) throw new RequestError("not-found", `no check named ${name} that this key may change`);
    return c.body(null, 204);
  });
}
