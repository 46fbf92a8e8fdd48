// The operations of this resource, one line each; api/app.ts mounts them as one sub-app.
export { registerIngestLogs } from "./native.ts";
export { registerOtlpLogs } from "./otlp.ts";
export { registerLokiPush } from "./loki.ts";
