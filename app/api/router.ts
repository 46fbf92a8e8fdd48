import { OpenAPIHono } from "@hono/zod-openapi";
import type { AuditEnv } from "./audit-trail.ts";
import type { AppDeps } from "./deps.ts";
import { fieldErrors, problem } from "./problem.ts";

/** A sub-app whose validation failures all become one problem+json shape. */
export function newRouter() {
  return new OpenAPIHono<AuditEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return problem(c, "validation-error", `invalid ${result.target}`, fieldErrors(result.error.issues));
      }
    },
  });
}

export type Router = ReturnType<typeof newRouter>;

/** Attaches one operation of a resource; each route file exports one. */
export type Register = (app: Router, deps: AppDeps) => void;

/** A resource's sub-app: its operations, registered in order. The app factory mounts it. */
export function resourceApi(deps: AppDeps, operations: readonly Register[]): Router {
  const app = newRouter();
  for (const register of operations) register(app, deps);
  return app;
}
