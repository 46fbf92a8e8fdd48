// The operations of this resource, one line each; api/app.ts mounts them as one sub-app.
export { registerHealth } from "./health.ts";
export { registerMetrics } from "./metrics.ts";
export { registerLanding } from "./landing.ts";
