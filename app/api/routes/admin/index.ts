import type { AppDeps } from "../../deps.ts";
import { resourceApi } from "../../router.ts";
import { registerAudit } from "./audit.ts";
import { registerGrants } from "./grants.ts";
import { registerKeys } from "./keys.ts";
import { registerTeams } from "./teams.ts";
import { registerUsers } from "./users.ts";

export const adminApi = (deps: AppDeps) => resourceApi(deps, [registerUsers, registerTeams, registerGrants, registerKeys, registerAudit]);
