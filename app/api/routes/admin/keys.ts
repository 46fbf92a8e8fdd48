import { RequestError } from "../../../domain/request-error.ts";
import { z } from "@hono/zod-openapi";
import { createKey, listKeys, revokeKey } from "../../../access/api-keys.ts";
import type { AppDeps } from "../../deps.ts";
import { defineRoute } from "../../route.ts";
import type { Router } from "../../router.ts";
import { adminListRoute, asCaller } from "./admin-route.ts";
import { ApiKey, ApiKeyCreate, ApiKeyCreated } from "./schema.ts";

const listRoute = adminListRoute("/admin/keys", "List API keys (never their secrets)", ApiKey);
const createKeyRoute = defineRoute({
  method: "post",
  path: "/admin/keys",
  tags: ["admin"], access: "admin",
  summary: "Create an API key",
  description: "A user key (`user`) acts with that user's role; an ingest key (`services`) may only write those services. The response holds the key itself, this once.",
  request: { body: { required: true, content: { "application/json": { schema: ApiKeyCreate } } } },
  responses: { 201: { description: "Created", content: { "application/json": { schema: ApiKeyCreated } } } }, errors: { "not-found": "No such user or key" },
});
const revokeRoute = defineRoute({ method: "post", path: "/admin/keys/{prefix}/revoke", tags: ["admin"], access: "admin", summary: "Revoke an API key at once", request: { params: z.object({ prefix: z.string() }) }, responses: { 200: { description: "Revoked", content: { "application/json": { schema: ApiKey } } } }, errors: { "not-found": "No such user or key" } });

export function registerKeys(app: Router, deps: AppDeps) {
  app.openapi(listRoute, async (c) => c.json({ items: await asCaller(deps, c.get("actor"), (sql) => listKeys(sql)) }, 200));
  app.openapi(createKeyRoute, async (c) => {
    const body = c.req.valid("json");
    const key = await asCaller(deps, c.get("actor"), (sql) =>
      createKey(sql, { name: body.name, ...(body.user ? { user: body.user } : {}), ...(body.services ? { services: body.services } : {}), ...(body.expires_in_days ? { expiresInDays: body.expires_in_days } : {}), lenient: body.lenient === true }),
    );
    if (!key) throw new RequestError("not-found", `no user named ${body.user}`);
    return c.json(key, 201);
  });
  app.openapi(revokeRoute, async (c) => {
    const { prefix } = c.req.valid("param");
    const key = await asCaller(deps, c.get("actor"), (sql) => revokeKey(sql, prefix));
    if (!key) throw new RequestError("not-found", `no key ${prefix}`);
    return c.json(key, 200);
  });
}
