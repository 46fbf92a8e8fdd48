import { RequestError } from "../../../domain/request-error.ts";
import { defineRoute } from "../../route.ts";
import { getService } from "../../../services/repository.ts";
import { deleteHeartbeat, getHeartbeat, setHeartbeat } from "../../../checks/heartbeats.ts";
import { asActor } from "../../../db/scoped.ts";
import type { Db } from "../../../db/client.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { ServiceName } from "../services/schema.ts";
import { presentHeartbeat } from "./present.ts";
import { Heartbeat, HeartbeatIssued, HeartbeatSet } from "./schema.ts";

const NOT_FOUND = "No such service (or one the key may not see), or it has no heartbeat";

const setHeartbeatRoute = defineRoute({
  method: "post",
  path: "/services/{name}/heartbeat",
  tags: ["heartbeats"],
  summary: "Watch a job by its pings, and issue its ping URL",
  description:
    "The service is down when no ping arrives for period + grace seconds, at once on `/ping/{token}/fail`, and when a job that pinged `/start` does not finish within the grace. Each call issues a new token and revokes the previous one; the last pings are kept.",
  access: "manage",
  request: { params: ServiceName, body: { required: true, content: { "application/json": { schema: HeartbeatSet } } } },
  errors: { "not-found": "No such service, or one the key may not see" },
  responses: { 201: { description: "Set; the token is shown this once", content: { "application/json": { schema: HeartbeatIssued } } } },
});

const getHeartbeatRoute = defineRoute({
  method: "get",
  path: "/services/{name}/heartbeat",
  tags: ["heartbeats"],
  summary: "A service's heartbeat and what its pings say",
  access: "read",
  request: { params: ServiceName },
  errors: { "not-found": NOT_FOUND },
  responses: { 200: { description: "The heartbeat (never its token)", content: { "application/json": { schema: Heartbeat } } } },
});

const deleteHeartbeatRoute = defineRoute({
  method: "delete",
  path: "/services/{name}/heartbeat",
  tags: ["heartbeats"],
  summary: "Stop watching pings and revoke the token",
  access: "manage",
  request: { params: ServiceName },
  errors: { "not-found": NOT_FOUND },
  responses: { 204: { description: "Deleted; pings to the old URL answer 404" } },
});

async function serviceIdOf(db: Db, name: string): Promise<number> {
  const service = await getService(db, name);
  if (!service) throw new RequestError("not-found", `no service named ${name}`);
  return service.id;
}

export function registerHeartbeatRoutes(app: Router, deps: AppDeps) {
  app.openapi(setHeartbeatRoute, async (c) => {
    const { name } = c.req.valid("param");
    const body = c.req.valid("json");
    const { token, heartbeat } = await asActor(deps.sql, c.get("actor"), async ({ db }) =>
      setHeartbeat(db, await serviceIdOf(db, name), body.period_seconds, body.grace_seconds),
    );
    const pingUrl = new URL(`/ping/${token}`, c.req.url).toString();
    return c.json({ ...presentHeartbeat(name, heartbeat, deps.now()), token, ping_url: pingUrl }, 201);
  });

  app.openapi(getHeartbeatRoute, async (c) => {
    const { name } = c.req.valid("param");
    const heartbeat = await asActor(deps.sql, c.get("actor"), async ({ db }) => getHeartbeat(db, await serviceIdOf(db, name)));
    if (!heartbeat) throw new RequestError("not-found", `${name} has no heartbeat; POST /services/${name}/heartbeat sets one`);
    return c.json(presentHeartbeat(name, heartbeat, deps.now()), 200);
  });

  app.openapi(deleteHeartbeatRoute, async (c) => {
    const { name } = c.req.valid("param");
    const deleted = await asActor(deps.sql, c.get("actor"), async ({ db }) => deleteHeartbeat(db, await serviceIdOf(db, name)));
    if (!deleted) throw new RequestError("not-found", `${name} has no heartbeat, or the key may not change it`);
    return c.body(null, 204);
  });
}
