// The operations of this resource, one line each; api/app.ts mounts them as one sub-app.
export { registerMaintenance } from "./routes.ts";
