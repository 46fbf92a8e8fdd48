import { z } from "@hono/zod-openapi";
import { MAX_BATCH_EVENTS, MAX_BODY_BYTES } from "../../../ingest/limits.ts";
import type { AppDeps } from "../../deps.ts";
import { defineRoute, mountUnvalidated } from "../../route.ts";
import type { Router } from "../../router.ts";
import { deliver } from "./deliver.ts";

const ExportLogsServiceResponse = z
  .object({
    partialSuccess: z
      .object({ rejectedLogRecords: z.string().openapi({ description: "int64, as OTLP/JSON writes it" }), errorMessage: z.string() })
      .optional()
      .openapi({ description: "Present when some records were refused; the others are stored." }),
  })
  .openapi("ExportLogsServiceResponse");

const otlpLogsRoute = defineRoute({
  method: "post",
  path: "/otlp/v1/logs",
  tags: ["ingest"],
  summary: "Ingest an OTLP/HTTP logs export (JSON or protobuf)",
  access: "ingest",
  description: [
    "The OTLP/HTTP logs endpoint (`ExportLogsServiceRequest`), as the OpenTelemetry SDKs and the Collector's `otlphttp` exporter send it: `application/json` or `application/x-protobuf`, gzip accepted. Send the key as `Authorization: Bearer <key>` (or Basic, with the key as the password).",
    "Mapping: the resource's `service.name` is the service; `severityNumber` (or `severityText`) the level; `body` the message; `timeUnixNano` (else `observedTimeUnixNano`) the time; `traceId`/`spanId`; `http.request.method`, `http.route`, `http.response.status_code`, `error.type` and `http.server.request.duration` (or `duration_ms`) their columns; every other resource and record attribute goes to `attributes`.",
    "A record that cannot be stored is refused alone: the answer's `partialSuccess` counts them and says why. The answer is encoded as the request was.",
  ].join("\n\n"),
  request: { body: { required: true, content: { "application/json": { schema: z.object({ resourceLogs: z.array(z.unknown()) }) }, "application/x-protobuf": { schema: z.string() } } } },
  errors: {
    "payload-too-large": `Body over ${MAX_BODY_BYTES / 1024 / 1024} MiB (after decompression) or more than ${MAX_BATCH_EVENTS} records`,
    "too-many-requests": "Too many bytes in flight; retry after `Retry-After` seconds (retryable in OTLP's terms)",
    "unsupported-media-type": "Neither application/json nor application/x-protobuf",
  },
  responses: {
    200: { description: "Stored (see `partialSuccess`)", content: { "application/json": { schema: ExportLogsServiceResponse }, "application/x-protobuf": { schema: z.string() } } },
  },
});

export function registerOtlpLogs(app: Router, deps: AppDeps) {
  mountUnvalidated(app, otlpLogsRoute, deliver(deps, "otlp", otlpLogsRoute.path));
}
