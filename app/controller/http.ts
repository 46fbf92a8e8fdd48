import { Hono } from "hono";
import type { Registry } from "prom-client";
import type { Readiness } from "./machine/manager.ts";

/**
 * The controller's own small HTTP surface. /healthz is liveness: it answers while the
 * process does, because a restart cannot bring back an API server or a lease. /readyz is
 * readiness: the watches are connected and a leader is known (see Manager.readiness).
 * /metrics is for Prometheus.
 */
export function controllerHttpApp(registry: Registry, readiness: () => Readiness) {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) => {
    const state = readiness();
    return c.json({ status: state.ready ? "ready" : !state.watching ? "not watching: the API server does not answer" : "no leader known", ...state }, state.ready ? 200 : 503);
  });
  app.get("/metrics", async (c) => c.text(await registry.metrics(), 200, { "content-type": registry.contentType }));
  return app;
}
