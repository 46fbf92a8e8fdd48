import { REQUEST_TIMEOUT_DEFAULT_MS } from "../db/client.ts";
import { auditTrail } from "./audit-trail.ts";
import { authenticate } from "./authenticate.ts";
import { deadline } from "./deadline.ts";
import type { AppDeps } from "./deps.ts";
import { mountDocs } from "./docs.ts";
import { answerError } from "./errors.ts";
import { httpMetrics } from "./http-metrics.ts";
import { refuseUnusableUrl } from "./input-guard.ts";
import { problem } from "./problem.ts";
import { newRouter } from "./router.ts";
import { adminApi } from "./routes/admin/index.ts";
import { logsApi } from "./routes/logs/index.ts";
import { servicesApi } from "./routes/services/index.ts";
import { statusApi } from "./routes/status/index.ts";
import { systemApi } from "./routes/system/index.ts";

/** One sub-app per resource (routes/<resource>/index.ts); a new resource is a line here. */
const RESOURCES = [logsApi, statusApi, servicesApi, adminApi, systemApi];

/**
 * The API: the middlewares every request passes (metrics, URL hygiene, the deadline, the
 * audit trail, learning who calls), each resource's routes (which admit callers
 * themselves, see route.ts), the OpenAPI document and its UI, and one error mapping.
 */
export function createApp(deps: AppDeps) {
  const app = newRouter();
  app.use("*", httpMetrics);
  app.use("*", refuseUnusableUrl);
  app.use("*", deadline(deps.requestTimeoutMs ?? REQUEST_TIMEOUT_DEFAULT_MS));
  app.use("*", auditTrail(deps));
  app.use("*", authenticate(deps));
  for (const resource of RESOURCES) app.route("/", resource(deps));
  mountDocs(app);
  app.notFound((c) => problem(c, "not-found", `no route for ${c.req.method} ${c.req.path}`));
  app.onError(answerError);
  return app;
}
