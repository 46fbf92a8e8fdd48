// The operations of this resource, one line each; api/app.ts mounts them as one sub-app.
export { registerIngestLogs } from "./ingest.ts";
export { registerQueryLogs } from "./query.ts";
