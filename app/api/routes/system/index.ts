import type { AppDeps } from "../../deps.ts";
import { resourceApi } from "../../router.ts";
import { registerHealth } from "./health.ts";
import { registerMetrics } from "./metrics.ts";

export const systemApi = (deps: AppDeps) => resourceApi(deps, [registerHealth, registerMetrics]);
