import { bodyLimit } from "hono/body-limit";
import { z } from "@hono/zod-openapi";
import { RequestError } from "../../../domain/request-error.ts";
import type { PingKind } from "../../../domain/vocabulary.ts";
import { recordPing } from "../../../checks/heartbeats.ts";
import { pingEvent } from "../../../checks/ping-event.ts";
import { PING_BODY_MAX_BYTES } from "../../../checks/heartbeat-limits.ts";
import { storeOwnEvents } from "../../../ingest/own-events.ts";
import { defineRoute } from "../../route.ts";
import type { AppDeps } from "../../deps.ts";
import { problem } from "../../problem.ts";
import type { Router } from "../../router.ts";
import { PingToken } from "./schema.ts";

/** A job's whole output may come with its ping; the first PING_BODY_MAX_BYTES are kept. */
const MAX_PING_BODY = 100_000;

const PATHS: Record<PingKind, { path: string; summary: string }> = {
  success: { path: "/ping/{token}", summary: "A job pings: it ran (or it is alive)" },
  fail: { path: "/ping/{token}/fail", summary: "A job reports that it failed: its service is down at once" },
  start: { path: "/ping/{token}/start", summary: "A job says it started: it must finish (ping) within the grace" },
};

function pingRoute(kind: PingKind, method: "get" | "post") {
  return defineRoute({
    method,
    path: PATHS[kind].path,
    tags: ["heartbeats"],
    summary: PATHS[kind].summary,
    description:
      "No key and no body needed (`curl -fsS -m 10 --retry 5 <ping_url>` at the end of a cron job). The token is the credential. A POST body (up to 100 kB, the first 10 kB kept) is stored with the ping's event as the job's output.",
    access: "public",
    request: { params: PingToken },
    errors: { "not-found": "No heartbeat has this token (never issued, replaced or deleted)", "payload-too-large": "The body is over 100 kB" },
    responses: { 200: { description: "Recorded", content: { "text/plain": { schema: z.string().openapi({ example: "OK" }) } } } },
  });
}

export function registerPing(app: Router, deps: AppDeps) {
  const limit = bodyLimit({ maxSize: MAX_PING_BODY, onError: (c) => problem(c, "payload-too-large", `a ping's body is at most ${MAX_PING_BODY} bytes`) });
  for (const kind of Object.keys(PATHS) as PingKind[]) {
    app.use(PATHS[kind].path.replace("{token}", ":token"), limit);
    for (const method of ["get", "post"] as const) {
      app.openapi(pingRoute(kind, method), async (c) => {
        const { token } = c.req.valid("param");
        const service = await recordPing(deps.sql, token, kind);
        if (!service) throw new RequestError("not-found", "no heartbeat has this token: it was never issued, or a newer one replaced it, or the heartbeat was deleted");
        const output = method === "post" ? (await c.req.text()).slice(0, PING_BODY_MAX_BYTES) : "";
        await storeOwnEvents(deps.sql, deps.serviceIds, { kind: "ingest", name: "heartbeat", keyPrefix: "ping", services: [service] }, [pingEvent(service, kind, deps.now(), output)]);
        if (kind !== "success") deps.stateMayHaveChanged?.();
        return c.text("OK", 200);
      });
    }
  }
}
