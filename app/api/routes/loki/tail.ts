import { z } from "@hono/zod-openapi";
import { upgradeWebSocket } from "@hono/node-server";
import type { Context } from "hono";
import type { WSContext } from "hono/ws";
import { asActor } from "../../../db/scoped.ts";
import type { Actor } from "../../../domain/actor.ts";
import { RequestError } from "../../../domain/request-error.ts";
import { log } from "../../../log.ts";
import { DEFAULT_RANGE_MS } from "../../../logs/logql/params.ts";
import { parseLogQL } from "../../../logs/logql/parser.ts";
import type { Stream } from "../../../logs/logql/repository.ts";
import { TAIL_POLL_MS, Tail } from "../../../logs/logql/tail.ts";
import type { AppDeps } from "../../deps.ts";
import { defineRoute } from "../../route.ts";
import type { Router } from "../../router.ts";
import { limitOf, timeOf } from "./loki-request.ts";
import { LOKI_ERRORS, LokiBadRequest, streamsResult } from "./loki-response.ts";

const tailRoute = defineRoute({
  method: "get",
  path: "/loki/api/v1/tail",
  tags: ["loki"],
  summary: "Loki: live tail over a WebSocket",
  access: "read",
  description:
    "Upgrade to a WebSocket: the lines since `start` (default an hour ago, at most `limit`), then each new line the selector matches within a second of its being stored, as Loki's `{\"streams\": [...], \"dropped_entries\": null}` messages. Each look runs under the key's row-level security: a key revoked meanwhile ends the tail (close code 1008).",
  request: {
    query: z.object({
      query: z.string().optional().openapi({ description: "A log query (selector and pipeline)." }),
      start: z.string().optional(),
      limit: z.string().optional(),
      delay_for: z.string().optional().openapi({ description: "Accepted for Loki's clients (0 to 5 seconds); lines are sent once committed, so no delay is needed." }),
    }),
  },
  errors: { "service-unavailable": "The database is not reachable" },
  responses: { 101: { description: "Switching to the WebSocket" }, ...LOKI_ERRORS },
});

export function registerTail(app: Router, deps: AppDeps) {
  app.openapi(tailRoute, async (c, next) => {
    const params = c.req.valid("query");
    const query = parseLogQL(params.query ?? "");
    if (query.kind !== "log") throw new LokiBadRequest("tail follows a log query, not a metric query");
    const limit = limitOf(params.limit);
    const now = deps.now().getTime() * 1000;
    const start = timeOf(params.start, now - DEFAULT_RANGE_MS * 1000, "start");
    const delay = Number(params.delay_for ?? 0);
    if (!(delay >= 0 && delay <= 5)) throw new LokiBadRequest("delay_for must be between 0 and 5 seconds");
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw new LokiBadRequest("tail streams over a WebSocket: connect with Upgrade: websocket");
    const actor = c.get("actor");
    const tail = new Tail(query.selector);
    let stop = () => {};
    const upgrade = upgradeWebSocket(() => ({
      onOpen: (_event, ws) => {
        stop = follow(ws, deps, actor, (db, first) => (first ? tail.begin(db, start, deps.now().getTime() * 1000, limit) : tail.next(db)));
      },
      onClose: () => stop(),
    }));
    return (await upgrade(c as unknown as Context, next)) as never;
  });
}

/** Looks for new lines every TAIL_POLL_MS and sends them, until the socket closes or a look fails. */
function follow(ws: WSContext, deps: AppDeps, actor: Actor, look: (db: Parameters<Tail["next"]>[0], first: boolean) => Promise<Stream[]>): () => void {
  let open = true;
  let timer: NodeJS.Timeout | undefined;
  const round = async (first: boolean) => {
    try {
      const streams = await asActor(deps.sql, actor, ({ db }) => look(db, first), { waitForFlush: false });
      if (!open) return;
      if (streams.length) ws.send(JSON.stringify({ streams: streamsResult(streams).result, dropped_entries: null }));
      timer = setTimeout(() => void round(false), TAIL_POLL_MS);
    } catch (error) {
      if (!open) return;
      open = false;
      if (error instanceof RequestError && error.code === "unauthorized") ws.close(1008, error.message);
      else {
        log.warn({ err: error }, "live tail stopped");
        ws.close(1011, "the tail could not read from the database; reconnect to resume");
      }
    }
  };
  void round(true);
  return () => {
    open = false;
    clearTimeout(timer);
  };
}
