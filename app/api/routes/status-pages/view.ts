import { z } from "@hono/zod-openapi";
import { RequestError } from "../../../domain/request-error.ts";
import { asActor } from "../../../db/scoped.ts";
import type { PageData } from "../../../status-pages/page-data.ts";
import { defineRoute } from "../../route.ts";
import type { AppDeps } from "../../deps.ts";
import { problem } from "../../problem.ts";
import type { Router } from "../../router.ts";
import { renderStatusPage, STATUS_PAGE_CSP } from "./render.ts";
import { PageSlug, StatusPageView } from "./schema.ts";

const viewRoute = defineRoute({
  method: "get",
  path: "/status-pages/{slug}",
  tags: ["status pages"],
  summary: "A status page: HTML for a browser, JSON for a program",
  description:
    "Public pages need no key. Others need a key that may see every service listed; a browser is asked for it with Basic authentication (any user name, the key as the password). The content is at most 15 seconds old.",
  access: "public",
  request: { params: PageSlug },
  errors: {
    unauthorized: "The page is not public and no key was sent (a browser is asked for one)",
    "not-found": "No such page, or one the key may not see",
    "service-unavailable": "Status pages are not served by this process",
  },
  responses: {
    200: { description: "The page", content: { "text/html": { schema: z.string() }, "application/json": { schema: StatusPageView } } },
  },
});

function presentView(data: PageData) {
  return {
    title: data.page.title,
    description: data.page.description,
    generated_at: data.generatedAt.toISOString(),
    services: data.services.map((s) => ({ name: s.name, state: s.state, reason: s.reason, impacted_by: s.impactedBy, uptime: s.uptime, days: s.days.map((d) => ({ day: d.day, uptime: d.ratio })) })),
    incidents: data.incidents.map((i) => ({ id: i.id, title: i.title, status: i.status, started_at: i.startedAt.toISOString(), resolved_at: i.resolvedAt?.toISOString() ?? null, services: i.services })),
    maintenance: data.maintenance.map((w) => ({ id: w.id, title: w.title, starts_at: w.startsAt.toISOString(), ends_at: w.endsAt.toISOString(), services: w.services })),
  };
}

export function registerViewStatusPage(app: Router, deps: AppDeps) {
  app.openapi(viewRoute, async (c) => {
    const { slug } = c.req.valid("param");
    if (!deps.statusPages) return problem(c, "service-unavailable", "this process serves no status pages") as never;
    const data = await deps.statusPages.read(slug);
    if (!data) throw new RequestError("not-found", `no status page ${slug}`);
    if (!data.page.public) {
      const actor = c.get("actor");
      if (!actor) {
        // Basic, so a browser asks its person for the key (as the password).
        const refused = problem(c, "unauthorized", c.get("refused") ?? "this status page needs a key: Authorization: Bearer <key>, or Basic with the key as the password");
        refused.headers.set("www-authenticate", 'Basic realm="Failsight status page", charset="UTF-8"');
        return refused as never;
      }
      // The page shows what Failsight sees; the key must see each service on it itself.
      const shown = data.services.map((s) => s.name);
      const visible = await asActor(deps.sql, actor, ({ sql }) => sql<{ name: string }[]>`SELECT name FROM services WHERE name = ANY(${shown}::text[])`);
      if (visible.length < shown.length) throw new RequestError("not-found", `no status page ${slug}`);
    }
    c.header("cache-control", data.page.public ? "public, max-age=15" : "private, max-age=15");
    if (/application\/json/i.test(c.req.header("accept") ?? "") && !/text\/html/i.test(c.req.header("accept") ?? "")) return c.json(presentView(data), 200);
    c.header("content-security-policy", STATUS_PAGE_CSP);
    return c.html(renderStatusPage(data), 200) as never;
  });
}
