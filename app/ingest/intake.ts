import type { Sql } from "../db/client.ts";
import { asActor } from "../db/scoped.ts";
import type { Actor } from "../domain/actor.ts";
import type { LogEvent } from "../domain/log-event.ts";
import { RequestError } from "../domain/request-error.ts";
import { recordRequest, type AuditEntry } from "../access/audit-log.ts";
import { ingestedBatches, ingestedEvents } from "../metrics/registry.ts";
import type { ServiceIds } from "../services/service-ids.ts";
import { writeBatch } from "./batch-writer.ts";
import { ByteBudget, DEFAULT_INFLIGHT_MIB, type Claim } from "./byte-budget.ts";
import { decodeBody } from "./decode-body.ts";
import { acceptedMediaTypes, formatFor } from "./formats/registry.ts";
import { observeEvents } from "./metrics.ts";
import { DEFAULT_INGEST_CONCURRENCY, WorkSlots } from "./work-slots.ts";

export type IntakeDeps = {
  sql: Sql;
  serviceIds: ServiceIds;
  now: () => Date;
  /** Bytes of bodies in flight at once (INGEST_INFLIGHT_MIB). */
  budget?: ByteBudget;
  /** Batches parsed and written at once (INGEST_CONCURRENCY). */
  slots?: WorkSlots;
};

/** One body to ingest, as any transport received it. */
export type Delivery = {
  actor: Actor;
  body: ArrayBuffer;
  contentType: string | undefined;
  encoding: string | undefined;
  /** What the audit trail records about the request that carried it. */
  audit: Pick<AuditEntry, "method" | "path" | "route">;
};

/**
 * The one ingest pipeline behind every format and transport: limits (bytes in flight,
 * batches at once, events per batch), decoding, the format's parser, the ingest key's
 * scope, one transaction for the batch and its audit entry, and the metrics once it has
 * committed. Answers the events stored; throws a RequestError for a batch refused whole.
 */
export class Intake {
  private readonly deps: IntakeDeps;
  private readonly budget: ByteBudget;
  private readonly slots: WorkSlots;
  constructor(deps: IntakeDeps) {
    this.deps = deps;
    this.budget = deps.budget ?? new ByteBudget(DEFAULT_INFLIGHT_MIB * 1024 * 1024);
    this.slots = deps.slots ?? new WorkSlots(DEFAULT_INGEST_CONCURRENCY);
  }

  async accept(delivery: Delivery): Promise<LogEvent[]> {
    const claim = this.budget.claim();
    try {
      const events = await this.slots.run(() => this.store(delivery, claim));
      ingestedBatches.inc({ result: "accepted" });
      ingestedEvents.inc({ result: "accepted" }, events.length);
      observeEvents(events);
      return events;
    } catch (error) {
      // A batch the caller may not send or write is refused (4xx), not failed: `failed`
      // feeds a paging alert about Failsight itself.
      ingestedBatches.inc({ result: isRefusal(error) ? "rejected" : "failed" });
      throw error;
    } finally {
      claim.release();
    }
  }

  private async store({ actor, body, contentType, encoding, audit }: Delivery, claim: Claim): Promise<LogEvent[]> {
    const receivedAt = this.deps.now();
    const format = formatFor(contentType);
    if (!format) throw new RequestError("unsupported-media-type", `send one of: ${acceptedMediaTypes()}`);
    const bytes = await decodeBody(body, encoding, claim, format.newCounter?.());
    const parsed = format.parse(bytes, receivedAt);
    if (!parsed.ok) {
      ingestedEvents.inc({ result: "rejected" }, parsed.eventCount);
      throw new RequestError(parsed.code, `${parsed.errors.length} invalid field(s); nothing was stored`, parsed.errors);
    }
    if (actor.kind === "ingest") {
      const outside = [...new Set(parsed.events.map((e) => e.service))].filter((s) => !actor.services.includes(s));
      if (outside.length) throw new RequestError("forbidden", `this ingest key may not write to ${outside.join(", ")}; nothing was stored`);
    }
    // The audit entry is written in the batch's own transaction: one commit per batch.
    await asActor(this.deps.sql, actor, async (scoped) => {
      await writeBatch(scoped, this.deps.serviceIds, parsed.events);
      await recordRequest(scoped.sql, actor, { ...audit, status: 200, filters: {}, rowCount: parsed.events.length });
    });
    return parsed.events;
  }
}

function isRefusal(error: unknown): boolean {
  return error instanceof RequestError || (error as { code?: string }).code === "42501";
}
