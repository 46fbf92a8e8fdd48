import { HTTPException } from "hono/http-exception";
import { authenticate } from "../auth/authenticate.ts";
import { NotEntitledError } from "../domain/not-entitled.ts";
import { log } from "../log.ts";
import type { AppDeps } from "./deps.ts";
import { httpMetrics } from "./http-metrics.ts";
import { refuseUnusableUrl } from "./input-guard.ts";
import { deadline } from "./deadline.ts";
import { auditTrail } from "./audit-trail.ts";
import { REQUEST_TIMEOUT_DEFAULT_MS, isDatabaseUnavailable } from "../db/client.ts";
import { ApiError, problem, type ProblemCode } from "./problem.ts";
import { newRouter } from "./router.ts";
import { registerAudit } from "./routes/admin/audit.ts";
import { registerGrants } from "./routes/admin/grants.ts";
import { registerKeys } from "./routes/admin/keys.ts";
import { registerTeams } from "./routes/admin/teams.ts";
import { registerUsers } from "./routes/admin/users.ts";
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
  app.use("*", refuseUnusableUrl);
  app.use("*", deadline(deps.requestTimeoutMs ?? REQUEST_TIMEOUT_DEFAULT_MS));
  app.use("*", auditTrail(deps));
  app.use("*", authenticate(deps));

  registerIngestLogs(app, deps);
  registerQueryLogs(app, deps);
  registerListStatus(app, deps);
  registerGetStatus(app, deps);
  registerStatusEvents(app, deps);
  registerListServices(app, deps);
  registerGetService(app, deps);
  registerCreateService(app, deps);
  registerUpdateService(app, deps);
  registerUsers(app, deps);
  registerTeams(app, deps);
  registerGrants(app, deps);
  registerKeys(app, deps);
  registerAudit(app, deps);
  registerHealth(app, deps);
  registerMetrics(app);
  registerDocs(app);

  app.notFound((c) => problem(c, "not-found", `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof ApiError) return problem(c, error.code, error.message, error.errors);
    if (error instanceof NotEntitledError) return problem(c, "forbidden", error.message);
    // PostgreSQL's row-level security refused a write: the caller is not entitled to it.
    if (sqlState(error) === "42501") return problem(c, "forbidden", "not entitled to write to this service; nothing was stored");
    if (isDatabaseUnavailable(error)) {
      log.warn({ err: error, method: c.req.method, path: c.req.path }, "database unavailable");
      return problem(c, "service-unavailable", "the database is not reachable right now; nothing was stored by this request unless it said otherwise; retry later");
    }
    // Hono raises these for bodies it cannot read, e.g. malformed JSON in a validated route.
    if (error instanceof HTTPException) return problem(c, problemForHttpError(error), error.message);
    // The detail goes to the log; the caller gets nothing internal.
    log.error({ err: error, method: c.req.method, path: c.req.path }, "request failed");
    return problem(c, "internal-error", "something went wrong on our side; it has been logged");
  });
  return app;
}

/** The SQLSTATE of a postgres.js error, or of the one drizzle wraps. */
function sqlState(error: unknown): string | undefined {
  const e = error as { code?: string; cause?: { code?: string } };
  return e.code ?? e.cause?.code;
}

function problemForHttpError(error: HTTPException): ProblemCode {
  if (error.status === 413) return "payload-too-large";
  if (error.status === 415) return "unsupported-media-type";
  if (error.status >= 500) return "internal-error";
  return /json/i.test(error.message) ? "malformed-json" : "validation-error";
}
