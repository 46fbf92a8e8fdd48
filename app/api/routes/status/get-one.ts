import { RequestError } from "../../../domain/request-error.ts";
import { defineRoute } from "../../route.ts";
import { z } from "@hono/zod-openapi";
import { evaluateServices } from "../../../status/service-status.ts";
import { readTransitions } from "../../../status/repository.ts";
import { uptimeRatio } from "../../../status/uptime.ts";
import { readAndRecord } from "../../recorded-read.ts";
import type { AppDeps } from "../../deps.ts";
import type { Router } from "../../router.ts";
import { presentStatus } from "./present.ts";
import { ServiceStatusDetail, StatusQuery } from "./schema.ts";
import { windowMsOrThrow } from "./window-param.ts";

const DAY = 86_400_000;
const UPTIME_PERIODS = { "24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY } as const;

const getStatusRoute = defineRoute({
  method: "get",
  path: "/status/{service}",
  tags: ["status"],
  summary: "Health and uptime of one service",
  access: "read",
  request: { params: z.object({ service: z.string().openapi({ example: "checkout" }) }), query: StatusQuery },
  errors: { "not-found": "No such service, or one the key may not see" },
  responses: {
    200: { description: "The service's state", content: { "application/json": { schema: ServiceStatusDetail } } },
  },
});

export function registerGetStatus(app: Router, deps: AppDeps) {
  app.openapi(getStatusRoute, async (c) => {
    const { service } = c.req.valid("param");
    const { window } = c.req.valid("query");
    const now = deps.now();
    const windowMs = windowMsOrThrow(window);
    const from = new Date(now.getTime() - UPTIME_PERIODS["30d"]);
    const { status, history } = await readAndRecord(
      c,
      deps,
      async ({ sql }) => {
        // With the service's id known here (ids never change), its transitions go out ahead
        // of the evaluation, in the same round trip, rather than after it. Row-level security
        // decides what either returns, and a service the caller may not see is not found.
        const [knownId] = deps.serviceIds.known([service]) ?? [];
        const early = knownId === undefined ? undefined : readTransitions(sql, knownId, from, now);
        early?.catch(() => {}); // a failure aborts the transaction, which the evaluation reports
        const [found] = await evaluateServices(sql, now, windowMs, deps.hourHistograms, [service]);
        if (!found) return { status: undefined, history: undefined };
        return { status: found, history: await (early && found.serviceId === knownId ? early : readTransitions(sql, found.serviceId, from, now)) };
      },
      (read) => (read.status ? 1 : undefined),
    );
    // A service the caller may not see answers exactly as one that does not exist.
    if (!status || !history) throw new RequestError("not-found", `no service named ${service}`);
    const uptimeOver = (ms: number) => {
      const since = new Date(now.getTime() - ms);
      const initial = [...history.events].reverse().find((t) => t.at < since)?.toState ?? history.initial;
      return uptimeRatio(initial, history.events.filter((t) => t.at >= since), since, now);
    };
    return c.json(
      {
        ...presentStatus(status),
        window,
        evaluated_at: now.toISOString(),
        uptime: { "24h": uptimeOver(UPTIME_PERIODS["24h"]), "7d": uptimeOver(UPTIME_PERIODS["7d"]), "30d": uptimeOver(UPTIME_PERIODS["30d"]) },
      },
      200,
    );
  });
}
