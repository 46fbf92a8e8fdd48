import type { AppDeps } from "../../deps.ts";
import { resourceApi } from "../../router.ts";
import { registerCreateService } from "./create.ts";
import { registerGetService } from "./get.ts";
import { registerListServices } from "./list.ts";
import { registerUpdateService } from "./update.ts";

export const servicesApi = (deps: AppDeps) => resourceApi(deps, [registerListServices, registerGetService, registerCreateService, registerUpdateService]);
