// The operations of this resource, one line each; api/app.ts mounts them as one sub-app.
export { registerManageStatusPages } from "./manage.ts";
export { registerViewStatusPage } from "./view.ts";
