import { z } from "@hono/zod-openapi";
import { LogBatchInput } from "../../../ingest/formats/native-schema.ts";
import { MAX_BATCH_EVENTS, MAX_BODY_BYTES } from "../../../ingest/limits.ts";
import type { AppDeps } from "../../deps.ts";
import { defineRoute, mountUnvalidated } from "../../route.ts";
import type { Router } from "../../router.ts";
import { deliver } from "./deliver.ts";

const MIB = 1024 * 1024;

const IngestResult = z.object({ accepted: z.number().int().openapi({ description: "Events committed.", example: 500 }) }).openapi("IngestResult");

const ingestLogsRoute = defineRoute({
  method: "post",
  path: "/v1/logs",
  tags: ["ingest"],
  summary: "Ingest a batch of log events (Failsight JSON or NDJSON, or OTLP)",
  access: "ingest",
  description: [
    "Failsight's own format: a JSON array of events or `{\"events\": [...]}`, or NDJSON (`application/x-ndjson`, one event per line).",
    "Every event is validated; the batch is stored whole (one INSERT, one transaction) or rejected whole with each bad index and field. Answers only after commit.",
    "`?lenient=true` (or `X-Failsight-Lenient: true`, an ingest key made lenient, or INGEST_LENIENT) maps common field names (`msg`, `time`, `@timestamp`, `severity`, pino's numeric levels...) and keeps unknown fields in `attributes` instead of refusing them.",
    "An OTLP export (OTLP/JSON, or `application/x-protobuf`) sent here is read as on `/otlp/v1/logs`, so an SDK given only Failsight's base URL works.",
    "`Content-Encoding: gzip` is accepted. An ingest key may only write the services it names; a batch naming any other is refused whole (403).",
  ].join("\n\n"),
  request: {
    query: z.object({ lenient: z.enum(["true", "false", "1", "0"]).optional() }),
    body: { required: true, content: { "application/json": { schema: LogBatchInput }, "application/x-ndjson": { schema: z.string() } } },
  },
  errors: {
    "malformed-json": "The body is not valid JSON (NDJSON: the line is named)",
    "payload-too-large": `Body over ${MAX_BODY_BYTES / MIB} MiB (after decompression) or more than ${MAX_BATCH_EVENTS} events`,
    "too-many-requests": "Too many bytes in flight across all ingest requests; retry after `Retry-After` seconds",
    "unsupported-media-type": "Not JSON, NDJSON or OTLP, or an encoding other than gzip",
  },
  responses: { 200: { description: "Stored", content: { "application/json": { schema: IngestResult } } } },
});

export function registerIngestLogs(app: Router, deps: AppDeps) {
  mountUnvalidated(app, ingestLogsRoute, deliver(deps, "native", ingestLogsRoute.path));
}
