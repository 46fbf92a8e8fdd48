import { asc, eq, getTableColumns, sql as sqlOf } from "drizzle-orm";
import { RequestError } from "../../../domain/request-error.ts";
import { statusPages } from "../../../db/schema.ts";
import { asActor } from "../../../db/scoped.ts";
import type { StatusPage } from "../../../status-pages/page-data.ts";
import { defineRoute } from "../../route.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { PageSlug, StatusPageConfig, StatusPageConfigList, StatusPagePut } from "./schema.ts";

const putRoute = defineRoute({
  method: "put",
  path: "/status-pages/{slug}",
  tags: ["status pages"],
  summary: "Create or replace a status page",
  description: "The page is served at the same path: HTML for a browser, JSON for a program.",
  access: "admin",
  request: { params: PageSlug, body: { required: true, content: { "application/json": { schema: StatusPagePut } } } },
  responses: {
    200: { description: "Replaced", content: { "application/json": { schema: StatusPageConfig } } },
    201: { description: "Created", content: { "application/json": { schema: StatusPageConfig } } },
  },
});

const listRoute = defineRoute({
  method: "get",
  path: "/status-pages",
  tags: ["status pages"],
  summary: "Every status page",
  access: "admin",
  responses: { 200: { description: "By slug", content: { "application/json": { schema: StatusPageConfigList } } } },
});

const deleteRoute = defineRoute({
  method: "delete",
  path: "/status-pages/{slug}",
  tags: ["status pages"],
  summary: "Delete a status page",
  access: "admin",
  request: { params: PageSlug },
  errors: { "not-found": "No such page" },
  responses: { 204: { description: "Deleted" } },
});

const present = (p: StatusPage) => ({ slug: p.slug, title: p.title, description: p.description, public: p.public, services: p.services, url: `/status-pages/${p.slug}` });

export function registerManageStatusPages(app: Router, deps: AppDeps) {
  app.openapi(putRoute, async (c) => {
    const { slug } = c.req.valid("param");
    const body = c.req.valid("json");
    const values = { title: body.title, description: body.description ?? null, public: body.public, services: body.services };
    const { row, created } = await asActor(deps.sql, c.get("actor"), async ({ db }) => {
      const [row] = await db
        .insert(statusPages)
        .values({ slug, ...values })
        .onConflictDoUpdate({ target: statusPages.slug, set: { ...values, updatedAt: sqlOf`now()` } })
        .returning({ ...getTableColumns(statusPages), created: sqlOf<boolean>`xmax = 0` });
      const { created, ...page } = row!;
      return { row: page, created };
    });
    deps.statusPages?.forget(slug);
    return created ? c.json(present(row), 201, { location: `/status-pages/${slug}` }) : c.json(present(row), 200);
  });
  app.openapi(listRoute, async (c) => {
    const rows = await asActor(deps.sql, c.get("actor"), ({ db }) => db.select().from(statusPages).orderBy(asc(statusPages.slug)));
    return c.json({ items: rows.map(present) }, 200);
  });
  app.openapi(deleteRoute, async (c) => {
    const { slug } = c.req.valid("param");
    const deleted = await asActor(deps.sql, c.get("actor"), ({ db }) => db.delete(statusPages).where(eq(statusPages.slug, slug)).returning({ slug: statusPages.slug }));
    if (!deleted.length) throw new RequestError("not-found", `no status page ${slug}`);
    deps.statusPages?.forget(slug);
    return c.body(null, 204);
  });
}
