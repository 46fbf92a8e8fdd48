import { z } from "@hono/zod-openapi";
import { VERSION } from "../../../version.ts";
import type { AppDeps } from "../../deps.ts";
import { defineRoute } from "../../route.ts";
import type { Router } from "../../router.ts";

/**
 * The Loki version Failsight answers as. Grafana turns features on by it; 2.9 is the first
 * with index/volume, and Failsight does not serve 3.x's detected_fields or patterns.
 */
export const LOKI_COMPATIBLE_VERSION = "2.9.0";

const buildInfoRoute = defineRoute({
  method: "get",
  path: "/loki/api/v1/status/buildinfo",
  tags: ["loki"],
  summary: "Loki: which Loki API this answers as",
  access: "read",
  responses: {
    200: {
      description: "Loki's build info; `revision` names Failsight's version",
      content: { "application/json": { schema: z.object({ version: z.string(), revision: z.string(), branch: z.string(), buildUser: z.string(), buildDate: z.string(), goVersion: z.string() }) } },
    },
  },
});

export function registerBuildInfo(app: Router, _deps: AppDeps) {
  app.openapi(buildInfoRoute, (c) => {
    c.set("audit", "skip");
    return c.json({ version: LOKI_COMPATIBLE_VERSION, revision: `failsight-${VERSION}`, branch: "", buildUser: "", buildDate: "", goVersion: "" }, 200);
  });
}
