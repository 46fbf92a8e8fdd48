// The operations of this resource, one line each; api/app.ts mounts them as one sub-app.
// Their errors are answered in Loki's shape (loki-response.ts, chosen in api/app.ts).
export { registerQueryRange } from "./query-range.ts";
export { registerInstantQuery } from "./query.ts";
export { registerLabels } from "./labels.ts";
export { registerSeries } from "./series.ts";
export { registerIndexStats } from "./index-stats.ts";
export { registerBuildInfo } from "./buildinfo.ts";
export { registerTail } from "./tail.ts";
