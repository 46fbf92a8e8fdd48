import type { AppDeps } from "../../deps.ts";
import { resourceApi } from "../../router.ts";
import { registerListStatus } from "./get-all.ts";
import { registerGetStatus } from "./get-one.ts";
import { registerStatusTransitions } from "./transitions.ts";

export const statusApi = (deps: AppDeps) => resourceApi(deps, [registerListStatus, registerGetStatus, registerStatusTransitions]);
