import { z } from "@hono/zod-openapi";
import { MAX_BATCH_EVENTS, MAX_BODY_BYTES } from "../../../ingest/limits.ts";
import type { AppDeps } from "../../deps.ts";
import { defineRoute, mountUnvalidated } from "../../route.ts";
import type { Router } from "../../router.ts";
import { deliver } from "./deliver.ts";

const lokiPushRoute = defineRoute({
  method: "post",
  path: "/loki/api/v1/push",
  tags: ["ingest"],
  summary: "Ingest a Loki push (JSON, or snappy-compressed protobuf)",
  access: "ingest",
  description: [
    "Loki's push API, as Promtail, Grafana Alloy, Fluent Bit's `loki` output, pino-loki and winston-loki send it: `{\"streams\": [{\"stream\": {labels}, \"values\": [[\"<ns>\", \"<line>\", {metadata}]]}]}` as JSON, or a snappy-compressed `PushRequest` as `application/x-protobuf`. Basic auth with the key as the password works for shippers that only do Basic.",
    "The service is the first of the labels `LOKI_SERVICE_LABELS` names (`service_name`, `service`, `app`, `job`) a stream has, else `unknown_service`; `level` or `detected_level` is the level; the other labels and each entry's structured metadata go to `attributes`. A line that is a JSON object has its fields (message, level, status, trace id...) lifted into columns.",
    "204 when every entry is stored; 400 naming the refused entries when some were not (the others are stored, as Loki does).",
  ].join("\n\n"),
  request: { body: { required: true, content: { "application/json": { schema: z.object({ streams: z.array(z.unknown()) }) }, "application/x-protobuf": { schema: z.string() } } } },
  errors: {
    "payload-too-large": `Body over ${MAX_BODY_BYTES / 1024 / 1024} MiB (after decompression) or more than ${MAX_BATCH_EVENTS} entries`,
    "too-many-requests": "Too many bytes in flight; retry after `Retry-After` seconds",
    "unsupported-media-type": "Neither application/json nor application/x-protobuf",
  },
  responses: { 204: { description: "Every entry stored" } },
});

export function registerLokiPush(app: Router, deps: AppDeps) {
  mountUnvalidated(app, lokiPushRoute, deliver(deps, "loki", lokiPushRoute.path));
}
