// The operations of this resource, one line each; api/app.ts mounts them as one sub-app.
export { registerListStatus } from "./get-all.ts";
export { registerGetStatus } from "./get-one.ts";
export { registerStatusTransitions } from "./transitions.ts";
