import { OpenAPIHono } from "@hono/zod-openapi";
import type { AuditEnv } from "./audit-trail.ts";
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
