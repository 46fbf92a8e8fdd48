// The operations of this resource, one line each; api/app.ts mounts them as one sub-app.
export { registerCreateService } from "./create.ts";
export { registerGetService } from "./get.ts";
export { registerListServices } from "./list.ts";
export { registerUpdateService } from "./update.ts";
export { registerServiceDependencies } from "./dependencies.ts";
