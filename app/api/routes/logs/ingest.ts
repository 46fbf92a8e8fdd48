import { bodyLimit } from "hono/body-limit";
import { LogBatchInput } from "../../../ingest/formats/native-schema.ts";
import { Intake } from "../../../ingest/intake.ts";
import type { AppDeps } from "../../deps.ts";
import { MAX_BATCH_EVENTS, MAX_BODY_BYTES } from "../../../ingest/limits.ts";
import { problem } from "../../problem.ts";
import { defineRoute, mountUnvalidated } from "../../route.ts";
import type { Router } from "../../router.ts";
import { IngestResult } from "./schema.ts";

const MIB = 1024 * 1024;

const ingestLogsRoute = defineRoute({
  method: "post",
  path: "/v1/logs",
  tags: ["logs"],
  summary: "Ingest a batch of log events",
  access: "ingest",
  description:
    "Validates every event; the batch is stored whole (one INSERT, one transaction) or rejected whole with each bad index and field. Answers only after commit. `Content-Encoding: gzip` is accepted. An ingest key may only write the services it names; a batch naming any other is refused whole (403).",
  request: { body: { required: true, content: { "application/json": { schema: LogBatchInput } } } },
  errors: {
    "malformed-json": "The body is not valid JSON",
    "payload-too-large": `Body over ${MAX_BODY_BYTES / MIB} MiB (after decompression) or more than ${MAX_BATCH_EVENTS} events`,
    "too-many-requests": "Too many bytes in flight across all ingest requests; retry after `Retry-After` seconds",
    "unsupported-media-type": "Not JSON, or an encoding other than gzip",
  },
  responses: { 200: { description: "Stored", content: { "application/json": { schema: IngestResult } } } },
});

/** The body is the intake's to read (it may be gzip, and a bad batch is reported event by event), so zod-openapi only documents it. */
export function registerIngestLogs(app: Router, deps: AppDeps) {
  const intake = new Intake({ sql: deps.sql, serviceIds: deps.serviceIds, now: deps.now, budget: deps.ingestBudget, slots: deps.ingestSlots });
  mountUnvalidated(
    app,
    ingestLogsRoute,
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => problem(c, "payload-too-large", `at most ${MAX_BODY_BYTES} bytes`) }),
    async (c) => {
      const accepted = await intake.accept({
        actor: c.get("actor"),
        body: await c.req.arrayBuffer(),
        contentType: c.req.header("content-type"),
        encoding: c.req.header("content-encoding"),
        audit: { method: c.req.method, path: c.req.path, route: ingestLogsRoute.path },
      });
      c.set("audit", "recorded");
      return c.json({ accepted: accepted.length }, 200);
    },
  );
}
