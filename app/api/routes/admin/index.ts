// The operations of this resource, one line each; api/app.ts mounts them as one sub-app.
export { registerAudit } from "./audit.ts";
export { registerGrants } from "./grants.ts";
export { registerKeys } from "./keys.ts";
export { registerTeams } from "./teams.ts";
export { registerUsers } from "./users.ts";
