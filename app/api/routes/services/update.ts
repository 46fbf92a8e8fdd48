import { RequestError } from "../../../domain/request-error.ts";
import { defineRoute } from "../../route.ts";
import { updateService } from "../../../services/repository.ts";
import { asActor } from "../../../db/scoped.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { changesFrom, declareDependencies, presentService, requireTeam } from "./present.ts";
import { declaredDependencies } from "../../../status/dependencies-repository.ts";
import { Service, ServiceName, ServicePatch } from "./schema.ts";

const updateServiceRoute = defineRoute({
  method: "patch",
  path: "/services/{name}",
  tags: ["services"],
  summary: "Change a service's type, owner, tier, thresholds or dependencies",
  access: "manage",
  description: "Threshold keys given are set, keys given `null` return to the default, others are kept.",
  request: { params: ServiceName, body: { required: true, content: { "application/json": { schema: ServicePatch } } } },
  errors: { "not-found": "No such service, or one the key may not see" },
  responses: {
    200: { description: "Updated", content: { "application/json": { schema: Service } } },
  },
});

export function registerUpdateService(app: Router, deps: AppDeps) {
  app.openapi(updateServiceRoute, async (c) => {
    const { name } = c.req.valid("param");
    const body = c.req.valid("json");
    const updated = await asActor(deps.sql, c.get("actor"), async ({ sql, db }) => {
      await requireTeam(db, body.owner_team);
      const row = await updateService(db, name, changesFrom(body));
      if (!row) return undefined;
      if (body.depends_on) await declareDependencies(sql, row, body.depends_on);
      return { row, dependsOn: (await declaredDependencies(sql, [row.id])).get(row.id) ?? [] };
    });
    if (!updated) throw new RequestError("not-found", `no service named ${name}`);
    return c.json(presentService(updated.row, updated.dependsOn), 200);
  });
}
