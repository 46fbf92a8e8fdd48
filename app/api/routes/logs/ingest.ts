import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { createRoute } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { writeBatch } from "../../../ingest/batch-writer.ts";
import { LogBatchInput, MAX_BATCH_EVENTS, MAX_BODY_BYTES } from "../../../ingest/event-schema.ts";
import { ByteBudget, DEFAULT_INFLIGHT_MIB } from "../../../ingest/byte-budget.ts";
import { BatchItemCounter } from "../../../ingest/count-items.ts";
import { DEFAULT_INGEST_CONCURRENCY, WorkSlots } from "../../../ingest/work-slots.ts";
import { parseBatch, type NormalizedEvent } from "../../../ingest/parse-batch.ts";
import type { Actor } from "../../../auth/actor.ts";
import { ingestedBatches, ingestedEvents } from "../../../metrics/registry.ts";
import { observeEvents } from "../../../metrics/service-metrics.ts";
import { access, requirePermission } from "../../../auth/authenticate.ts";
import { asActor } from "../../../db/scoped.ts";
import { recordRequest } from "../../../auth/audit.ts";
import { NotEntitledError } from "../../../domain/not-entitled.ts";
import type { AppDeps } from "../../deps.ts";
import { ApiError, authErrorResponses, commonErrorResponses, problem, problemResponse } from "../../problem.ts";
import type { Router } from "../../router.ts";
import { IngestResult } from "./schema.ts";


export const ingestLogsRoute = createRoute({
  method: "post",
  path: "/v1/logs",
  tags: ["logs"],
  summary: "Ingest a batch of log events",
  ...access("ingest"),
  description:
    "Validates every event; the batch is stored whole (one INSERT, one transaction) or rejected whole with each bad index and field. Answers only after commit. `Content-Encoding: gzip` is accepted. An ingest key may only write the services it names; a batch naming any other is refused whole (403).",
  request: { body: { required: true, content: { "application/json": { schema: LogBatchInput } } } },
  responses: {
    200: { description: "Stored", content: { "application/json": { schema: IngestResult } } },
    ...commonErrorResponses,
    ...authErrorResponses,
    413: problemResponse("Body over 5 MiB (after decompression) or more than 5,000 events"),
    429: problemResponse("Too many bytes in flight across all ingest requests; retry after `Retry-After` seconds"),
    415: problemResponse("Not JSON, or an encoding other than gzip"),
  },
});

/**
 * Registered outside zod-openapi's validator (the route is only documented through it):
 * the body may be gzip, and a bad batch must be reported event by event.
 */
export function registerIngestLogs(app: Router, deps: AppDeps) {
  app.openAPIRegistry.registerPath(ingestLogsRoute);
  const budget = deps.ingestBudget ?? new ByteBudget(DEFAULT_INFLIGHT_MIB * 1024 * 1024);
  const slots = deps.ingestSlots ?? new WorkSlots(DEFAULT_INGEST_CONCURRENCY);
  app.post(
    ingestLogsRoute.path,
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => problem(c, "payload-too-large", `at most ${MAX_BODY_BYTES} bytes`) }),
    async (c) => {
      const claim = budget.claim();
      try {
        const raw = await c.req.arrayBuffer();
        if (!claim.take(raw.byteLength)) throw overBudget();
        const request = { actor: c.get("actor"), contentType: c.req.header("content-type"), encoding: c.req.header("content-encoding"), raw, method: c.req.method, path: c.req.path };
        const accepted = await slots.run(() => ingest(deps, claim, request));
        c.set("audited", true);
        ingestedBatches.inc({ result: "accepted" });
        ingestedEvents.inc({ result: "accepted" }, accepted.length);
        observeEvents(accepted);
        return c.json({ accepted: accepted.length }, 200);
      } catch (error) {
        // A batch the caller may not send or write is refused (4xx), not failed: `failed`
        // feeds a paging alert about Failsight itself.
        ingestedBatches.inc({ result: isRefusal(error) ? "rejected" : "failed" });
        throw error;
      } finally {
        claim.release();
      }
    },
  );
}

type IngestRequest = { actor: Actor; contentType: string | undefined; encoding: string | undefined; raw: ArrayBuffer; method: string; path: string };

/**
 * The events stored, once committed; throws for a batch refused whole. The audit entry is
 * written in the batch's own transaction: one commit per batch, not two (a refused batch
 * is recorded by the audit middleware).
 */
async function ingest(deps: AppDeps, claim: Claim, { actor, contentType, encoding, raw, method, path }: IngestRequest): Promise<NormalizedEvent[]> {
  requirePermission(actor, "ingest");
  const receivedAt = deps.now();
  const body = await readJsonBody(claim, contentType, encoding, raw);
  const parsed = parseBatch(body, receivedAt);
  if (!parsed.ok) {
    ingestedEvents.inc({ result: "rejected" }, eventCount(body));
    const tooMany = parsed.errors.some((e) => e.field === "events" && e.message.startsWith("must hold at most"));
    throw new ApiError(tooMany ? "payload-too-large" : "validation-error", `${parsed.errors.length} invalid field(s); nothing was stored`, parsed.errors);
  }
  if (actor.kind === "ingest") {
    const outside = [...new Set(parsed.events.map((e) => e.service))].filter((s) => !actor.services.includes(s));
    if (outside.length) throw new ApiError("forbidden", `this ingest key may not write to ${outside.join(", ")}; nothing was stored`);
  }
  await asActor(deps.sql, actor, async (scoped) => {
    await writeBatch(scoped, deps.serviceIds, parsed.events);
    await recordRequest(scoped.sql, actor, { method, path, route: ingestLogsRoute.path, status: 200, filters: {}, rowCount: parsed.events.length });
  });
  return parsed.events;
}

function isRefusal(error: unknown): boolean {
  return error instanceof ApiError || error instanceof NotEntitledError || (error as { code?: string }).code === "42501";
}

function eventCount(body: unknown): number {
  const list = Array.isArray(body) ? body : (body as { events?: unknown } | null)?.events;
  return Array.isArray(list) ? list.length : 0;
}

type Claim = ReturnType<ByteBudget["claim"]>;
const overBudget = () => new ApiError("too-many-requests", "too many ingest bytes in flight right now; nothing was stored");

/**
 * The body as JSON, within the budget: raw bytes are claimed, then decompressed bytes as
 * they come (a 5 KB gzip body can expand to 5 MiB), and the events are counted on the text
 * before it is parsed, so neither a bomb nor a flood of `{}` is ever built into objects.
 */
async function readJsonBody(claim: Claim, contentType: string | undefined, encoding: string | undefined, raw: ArrayBuffer): Promise<unknown> {
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType ?? "")) {
    throw new ApiError("unsupported-media-type", "send Content-Type: application/json");
  }
  const counter = new BatchItemCounter();
  let bytes: Buffer = Buffer.from(raw);
  const coding = (encoding ?? "identity").trim().toLowerCase();
  if (coding === "gzip" || coding === "x-gzip") bytes = await gunzipWithin(bytes, claim, counter);
  else if (coding !== "identity") throw new ApiError("unsupported-media-type", `Content-Encoding ${coding} is not supported; use gzip or none`);
  else refuseTooMany(counter.feed(bytes));
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new ApiError("malformed-json", (error as Error).message);
  }
}

function refuseTooMany(events: number) {
  if (events > MAX_BATCH_EVENTS) throw new ApiError("payload-too-large", `a batch holds at most ${MAX_BATCH_EVENTS} events; nothing was stored`, [{ field: "events", message: `must hold at most ${MAX_BATCH_EVENTS} events` }]);
}

async function gunzipWithin(compressed: Buffer, claim: Claim, counter: BatchItemCounter): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of Readable.from([compressed]).pipe(createGunzip()) as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > MAX_BODY_BYTES) throw new ApiError("payload-too-large", `more than ${MAX_BODY_BYTES} bytes after decompression`);
      refuseTooMany(counter.feed(chunk));
      if (!claim.take(chunk.length)) throw overBudget();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError("validation-error", "the body is not valid gzip", [{ field: "body", message: "not valid gzip" }]);
  }
  return Buffer.concat(chunks, total);
}
