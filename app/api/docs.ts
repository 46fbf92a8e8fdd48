import { VERSION } from "../version.ts";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createRequire } from "node:module";
import { guard } from "./route.ts";
import type { Router } from "./router.ts";

// Swagger UI served from the swagger-ui-dist package, not a CDN: clusters with no way out
// to the internet still get their docs.
const assetsDir = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const ASSETS = { "swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript", "favicon-32x32.png": "image/png" } as const;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Failsight API</title>
  <link rel="icon" href="/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script>window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#ui", deepLinking: true });</script>
</body>
</html>`;

/** The OpenAPI document of every route mounted so far, and Swagger UI over it: public, and not audited. */
export function mountDocs(app: Router) {
  const open = guard("public");
  app.use("/openapi.json", open);
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "An API key, `fsk_<prefix>_<secret>`. Each route lists the roles that may call it in `x-failsight-roles`.",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Failsight API",
      version: VERSION,
      description: "Ingest log events, search them, and see the health of every service. Errors are RFC 9457 problem+json.",
    },
    tags: [
      { name: "ingest", description: "Send log events: Failsight JSON and NDJSON, OTLP/HTTP, Loki push" },
      { name: "logs", description: "Search log events" },
      { name: "status", description: "Health, uptime and state transitions per service" },
      { name: "services", description: "The services Failsight knows" },
      { name: "checks", description: "Uptime checks Failsight runs against a service (HTTP, TCP, DNS)" },
      { name: "heartbeats", description: "Jobs that ping a URL; a missed ping makes their service down" },
      { name: "incidents", description: "Incidents and maintenance windows, which status pages show" },
      { name: "status pages", description: "Public or key-protected HTML pages of chosen services" },
      { name: "admin", description: "Users, teams, grants, API keys and the audit trail (admins only)" },
      { name: "system", description: "Liveness, readiness and metrics" },
    ],
  });
  app.get("/docs", open, (c) => c.html(PAGE));
  // What a browser makes of a link to the folder.
  app.get("/docs/", open, (c) => c.redirect("/docs", 301));
  app.get("/docs/assets/:file", open, async (c) => {
    const file = c.req.param("file");
    if (!Object.hasOwn(ASSETS, file)) return c.notFound();
    const body = await readFile(path.join(assetsDir, file));
    return c.body(body, 200, { "content-type": ASSETS[file as keyof typeof ASSETS], "cache-control": "public, max-age=86400" });
  });
}
