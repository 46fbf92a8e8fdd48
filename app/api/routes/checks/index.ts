// The operations of this resource, one line each; api/app.ts mounts them as one sub-app.
export { registerCreateCheck } from "./create.ts";
export { registerReadChecks } from "./read.ts";
export { registerDeleteCheck } from "./delete.ts";
