import type { AppDeps } from "../../deps.ts";
import { resourceApi } from "../../router.ts";
import { registerIngestLogs } from "./ingest.ts";
import { registerQueryLogs } from "./query.ts";

export const logsApi = (deps: AppDeps) => resourceApi(deps, [registerIngestLogs, registerQueryLogs]);
