import { z } from "@hono/zod-openapi";
import { VERSION } from "../../../version.ts";
import type { AppDeps } from "../../deps.ts";
import { defineRoute } from "../../route.ts";
import type { Router } from "../../router.ts";

const Index = z
  .object({
    name: z.literal("Failsight"),
    version: z.string(),
    auth: z.enum(["on", "off"]),
    links: z.record(z.string(), z.string()).openapi({ example: { docs: "/docs", openapi: "/openapi.json", status: "/status", health: "/health" } }),
    status_pages: z.array(z.object({ title: z.string(), url: z.string() })).openapi({ description: "The public status pages." }),
  })
  .openapi("Index");

const landingRoute = defineRoute({
  method: "get",
  path: "/",
  tags: ["system"],
  summary: "What this is: a page for a browser, an index for a program",
  access: "public",
  responses: {
    200: {
      description: "HTML when the client asks for text/html, JSON otherwise",
      content: { "application/json": { schema: Index }, "text/html": { schema: z.string() } },
    },
  },
});

/** Where to go from here; Grafana only when the deployment says where it is (GRAFANA_URL). */
function linksFor(deps: AppDeps): Record<string, string> {
  return { docs: "/docs", openapi: "/openapi.json", status: "/status", services: "/services", health: "/health", ready: "/ready", ...(deps.grafanaUrl ? { grafana: deps.grafanaUrl } : {}) };
}

export function registerLanding(app: Router, deps: AppDeps) {
  app.openapi(landingRoute, async (c) => {
    // A page that cannot be listed (the database away) must not take the landing page with it.
    const pages = (await deps.statusPages?.listPublic().catch(() => [])) ?? [];
    const index = { name: "Failsight" as const, version: VERSION, auth: deps.auth, links: linksFor(deps), status_pages: pages.map((p) => ({ title: p.title, url: `/status-pages/${p.slug}` })) };
    if (prefersHtml(c.req.header("accept"))) return c.html(page(index), 200);
    return c.json(index, 200);
  });
}

// A browser puts text/html first; curl and programs send "*/*" or ask for JSON.
function prefersHtml(accept: string | undefined): boolean {
  return /^\s*text\/html\b/i.test(accept ?? "");
}

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function page(index: { version: string; auth: "on" | "off"; links: Record<string, string>; status_pages: { title: string; url: string }[] }): string {
  const item = (href: string | undefined, label: string, note: string) => (href ? `<li><a href="${escape(href)}">${label}</a> ${note}</li>` : "");
  const { links } = index;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Failsight ${escape(index.version)}</title>
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem; color: #1d2433; }
    h1 { margin-bottom: 0; } .sub { color: #5b6478; margin-top: .25rem; }
    code { background: #f1f3f7; padding: .1rem .3rem; border-radius: 4px; }
    li { margin: .4rem 0; } .warn { background: #fff4d6; padding: .5rem .75rem; border-radius: 6px; }
  </style>
</head>
<body>
  <h1>Failsight</h1>
  <p class="sub">Logs, health and uptime of your services, on PostgreSQL. Version ${escape(index.version)}.</p>
  ${index.status_pages.length ? `<h2>Status</h2><ul>${index.status_pages.map((p) => `<li><a href="${escape(p.url)}">${escape(p.title)}</a></li>`).join("")}</ul>` : ""}
  ${index.auth === "off" ? '<p class="warn">API keys are not checked (<code>FAILSIGHT_AUTH=off</code>): every request acts as an admin.</p>' : "<p>The API answers to API keys: send <code>Authorization: Bearer &lt;key&gt;</code>.</p>"}
  <ul>
    ${item(links.docs, "API documentation", "(Swagger UI): every route, who may call it, and its errors")}
    ${item(links.openapi, "OpenAPI document", "for clients and code generators")}
    ${item(links.status, "Service status", "(JSON, needs a key)")}
    ${item(links.grafana, "Grafana", "dashboards and alerts")}
    ${item(links.ready, "Readiness", "whether the database answers and is migrated")}
  </ul>
  <p>Send logs: <code>POST /v1/logs</code> with a JSON batch. Search them: <code>GET /logs</code>.</p>
</body>
</html>`;
}
