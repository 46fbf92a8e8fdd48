import { Hono } from "hono";
import type { Registry } from "prom-client";

/** The controller's own small HTTP surface: /healthz for probes, /metrics for Prometheus. */
export function controllerHttpApp(registry: Registry, healthy: () => boolean, isLeader: () => boolean) {
  const app = new Hono();
  app.get("/healthz", (c) => (healthy() ? c.json({ status: "ok", leader: isLeader() }) : c.json({ status: "watch disconnected", leader: isLeader() }, 503)));
  app.get("/metrics", async (c) => c.text(await registry.metrics(), 200, { "content-type": registry.contentType }));
  return app;
}
