import { RequestError } from "../../../domain/request-error.ts";
import { getCheck, listChecks } from "../../../checks/repository.ts";
import { asActor } from "../../../db/scoped.ts";
import { defineRoute } from "../../route.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { presentCheck } from "./present.ts";
import { Check, CheckList, CheckListQuery, CheckName } from "./schema.ts";

const listChecksRoute = defineRoute({
  method: "get",
  path: "/checks",
  tags: ["checks"],
  summary: "The checks of the services the key may see, with their last results",
  access: "read",
  request: { query: CheckListQuery },
  responses: { 200: { description: "Checks, by name", content: { "application/json": { schema: CheckList } } } },
});

const getCheckRoute = defineRoute({
  method: "get",
  path: "/checks/{name}",
  tags: ["checks"],
  summary: "One check and its last result",
  access: "read",
  request: { params: CheckName },
  errors: { "not-found": "No such check, or one of a service the key may not see" },
  responses: { 200: { description: "The check", content: { "application/json": { schema: Check } } } },
});

export function registerReadChecks(app: Router, deps: AppDeps) {
  app.openapi(listChecksRoute, async (c) => {
    const { service } = c.req.valid("query");
    const rows = await asActor(deps.sql, c.get("actor"), ({ db }) => listChecks(db, service));
    const now = deps.now();
    return c.json({ items: rows.map((row) => presentCheck(row, now)) }, 200);
  });
  app.openapi(getCheckRoute, async (c) => {
    const { name } = c.req.valid("param");
    const row = await asActor(deps.sql, c.get("actor"), ({ db }) => getCheck(db, name));
    if (!row) throw new RequestError("not-found", `no check named ${name}`);
    return c.json(presentCheck(row, deps.now()), 200);
  });
}
