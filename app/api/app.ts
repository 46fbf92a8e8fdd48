import { HTTPException } from "hono/http-exception";
import { log } from "../log.ts";
import type { AppDeps } from "./deps.ts";
import { httpMetrics } from "./http-metrics.ts";
import { ApiError, problem } from "./problem.ts";
import { newRouter } from "./router.ts";
import { registerIngestLogs } from "./routes/logs/ingest.ts";
import { registerQueryLogs } from "./routes/logs/query.ts";
import { registerCreateService } from "./routes/services/create.ts";
import { registerGetService } from "./routes/services/get.ts";
import { registerListServices } from "./routes/services/list.ts";
import { registerUpdateService } from "./routes/services/update.ts";
import { registerStatusEvents } from "./routes/status/events.ts";
import { registerGetStatus } from "./routes/status/get-one.ts";
import { registerListStatus } from "./routes/status/get-all.ts";
import { registerDocs } from "./routes/system/docs.ts";
import { registerHealth } from "./routes/system/health.ts";
import { registerMetrics } from "./routes/system/metrics.ts";

export function createApp(deps: AppDeps) {
  const app = newRouter();
  app.use("*", httpMetrics);

  registerIngestLogs(app, deps);
  registerQueryLogs(app, deps);
  registerListStatus(app, deps);
  registerGetStatus(app, deps);
  registerStatusEvents(app, deps);
  registerListServices(app, deps);
  registerGetService(app, deps);
  registerCreateService(app, deps);
  registerUpdateService(app, deps);
  registerHealth(app, deps);
  registerMetrics(app);
  registerDocs(app);

  app.notFound((c) => problem(c, "not-found", `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof ApiError) return problem(c, error.code, error.message, error.errors);
    if (error instanceof HTTPException) {
      // Hono raises these for bodies it cannot read, e.g. malformed JSON in a validated route.
      const status = error.status;
      const code = status === 413 ? "payload-too-large" : status === 415 ? "unsupported-media-type" : status < 500 ? (/json/i.test(error.message) ? "malformed-json" : "validation-error") : "internal-error";
      return problem(c, code, error.message);
    }
    // The detail goes to the log; the caller gets nothing internal.
    log.error({ err: error, method: c.req.method, path: c.req.path }, "request failed");
    return problem(c, "internal-error", "something went wrong on our side; it has been logged");
  });
  return app;
}
