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
import { requestLog } from "./request-log.ts";
import { newRouter, resourceApi } from "./router.ts";
import * as admin from "./routes/admin/index.ts";
import * as checks from "./routes/checks/index.ts";
import * as heartbeats from "./routes/heartbeats/index.ts";
import * as incidents from "./routes/incidents/index.ts";
import * as maintenance from "./routes/maintenance/index.ts";
import * as statusPages from "./routes/status-pages/index.ts";
import * as ingest from "./routes/ingest/index.ts";
import * as logs from "./routes/logs/index.ts";
import * as loki from "./routes/loki/index.ts";
import { answerLokiError, answersInLokiShape } from "./routes/loki/loki-response.ts";
import * as services from "./routes/services/index.ts";
import * as status from "./routes/status/index.ts";
import * as system from "./routes/system/index.ts";

/**
 * One sub-app per resource, from the operations its routes/<resource>/index.ts exports: a
 * new route is a file and a line there, a new resource a folder and a line here.
 */
const RESOURCES = [ingest, logs, loki, status, services, checks, heartbeats, incidents, maintenance, statusPages, admin, system];

/**
 * The API: the middlewares every request passes (the request log, metrics, URL hygiene, the deadline, the
 * audit trail, learning who calls), each resource's routes (which admit callers
 * themselves, see route.ts), the OpenAPI document and its UI, and one error mapping.
 */
export function createApp(deps: AppDeps) {
  const app = newRouter();
  app.use("*", requestLog);
  app.use("*", httpMetrics);
  app.use("*", refuseUnusableUrl);
  app.use("*", deadline(deps.requestTimeoutMs ?? REQUEST_TIMEOUT_DEFAULT_MS));
  app.use("*", auditTrail(deps));
  app.use("*", authenticate(deps));
  for (const operations of RESOURCES) app.route("/", resourceApi(deps, Object.values(operations)));
  mountDocs(app);
  app.notFound((c) => problem(c, "not-found", `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => (answersInLokiShape(c.req.path) ? answerLokiError(error, c) : answerError(error, c)));
  return app;
}
