import { RequestError } from "../../../domain/request-error.ts";
import { defineRoute } from "../../route.ts";
import { getService } from "../../../services/repository.ts";
import { readEdges, type DependencyEdge } from "../../../status/dependencies-repository.ts";
import { asActor } from "../../../db/scoped.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { ServiceDependencies, ServiceName } from "./schema.ts";

const dependenciesRoute = defineRoute({
  method: "get",
  path: "/services/{name}/dependencies",
  tags: ["services"],
  summary: "What a service depends on and what depends on it, declared and inferred from traces",
  description:
    "Declared edges come from `depends_on` (POST or PATCH /services); inferred ones from traces, when an event's `parent_span_id` attribute names the span of another service's event in the same trace. Only services the key may see are listed.",
  access: "read",
  request: { params: ServiceName },
  errors: { "not-found": "No such service, or one the key may not see" },
  responses: { 200: { description: "Both directions", content: { "application/json": { schema: ServiceDependencies } } } },
});

const present = (other: string, e: DependencyEdge) => ({ service: other, declared: e.declared, inferred: e.inferredAt !== null, inferred_at: e.inferredAt?.toISOString() ?? null });

export function registerServiceDependencies(app: Router, deps: AppDeps) {
  app.openapi(dependenciesRoute, async (c) => {
    const { name } = c.req.valid("param");
    const edges = await asActor(deps.sql, c.get("actor"), async ({ sql, db }) => ((await getService(db, name)) ? readEdges(sql) : undefined));
    if (!edges) throw new RequestError("not-found", `no service named ${name}`);
    return c.json(
      {
        service: name,
        depends_on: edges.filter((e) => e.service === name).map((e) => present(e.dependsOn, e)),
        dependents: edges.filter((e) => e.dependsOn === name).map((e) => present(e.service, e)),
      },
      200,
    );
  });
}
