import type { Sql } from "../db/client.ts";
import { asActor } from "../db/scoped.ts";
import type { Actor } from "../domain/actor.ts";
import { RequestError } from "../domain/request-error.ts";
import { recordRequest, type AuditEntry } from "../access/audit-log.ts";
import { ingestedBatches, ingestedEvents } from "../metrics/registry.ts";
import type { ServiceIds } from "../services/service-ids.ts";
import { writeBatch } from "./batch-writer.ts";
import { recordReceipt } from "./receipts.ts";
import { ByteBudget, DEFAULT_INFLIGHT_MIB, type Claim } from "./byte-budget.ts";
import { decodeBody, overBudget } from "./decode-body.ts";
import type { FieldError } from "../domain/field-error.ts";
import type { IngestFormat } from "./formats/format.ts";
import { DEFAULT_SERVICE_LABELS } from "./formats/service-labels.ts";
import { formatFor, formatNames, mediaTypeOf, newCounter, type Endpoint } from "./formats/registry.ts";
import { MAX_BATCH_EVENTS } from "./limits.ts";
import { observeBatch } from "./metrics.ts";
import type { BatchTally, EventColumns } from "./event-columns.ts";
import { DEFAULT_INGEST_CONCURRENCY, inTwoStages, WorkSlots } from "./work-slots.ts";
import { raised, type ParseJob } from "./parse-job.ts";
import { inlineParser, type Parser } from "./parse-pool.ts";

export type IntakeDeps = {
  sql: Sql;
  serviceIds: ServiceIds;
  now: () => Date;
  /** Bytes of bodies in flight at once (INGEST_INFLIGHT_MIB). */
  budget?: ByteBudget;
  /** Batches written at once, and parsed meanwhile (INGEST_CONCURRENCY). */
  concurrency?: number;
  /** Lenient mode for every native batch (INGEST_LENIENT); requests and ingest keys can ask for it too. */
  lenient?: boolean;
  /** Loki stream labels that name the service (LOKI_SERVICE_LABELS). */
  serviceLabels?: readonly string[];
  /** Where bodies are parsed: worker threads (INGEST_PARSE_WORKERS), or inline when absent. */
  parser?: Parser;
  /** Told how many partial roll-up rows each committed batch appended: the compactor keeps pace. */
  rollupRows?: { written(rows: number): void };
};

/** What became of a delivery: the events stored, the records refused one by one, and the format that read it (which answers). */
export type Outcome = { stored: number; rejected: FieldError[]; format: IngestFormat; tally?: BatchTally; duplicate?: boolean; rollupRows?: number };

/** One body to ingest, as any transport received it. */
export type Delivery = {
  actor: Actor;
  /** Which endpoint received it, and so which formats may read it. */
  endpoint: Endpoint;
  /** The request asked for lenient mode. */
  lenient?: boolean;
  body: ArrayBuffer;
  contentType: string | undefined;
  encoding: string | undefined;
  /** What the audit trail records about the request that carried it. */
  audit: Pick<AuditEntry, "method" | "path" | "route">;
  /** A queue message's identity: stored once, however often it is delivered. */
  receipt?: { source: string; messageId: string };
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
  private readonly parsing: WorkSlots;
  private readonly writing: WorkSlots;
  private readonly parser: Parser;
  /** Deliveries being accepted now. */
  private inFlight = 0;
  constructor(deps: IntakeDeps) {
    this.deps = deps;
    this.parser = deps.parser ?? inlineParser;
    this.budget = deps.budget ?? new ByteBudget(DEFAULT_INFLIGHT_MIB * 1024 * 1024);
    const concurrency = deps.concurrency ?? DEFAULT_INGEST_CONCURRENCY;
    this.parsing = new WorkSlots(concurrency);
    this.writing = new WorkSlots(concurrency);
  }

  /** Stops the parse workers, if any. */
  close(): Promise<void> {
    return this.parser.close();
  }

  async accept(delivery: Delivery): Promise<Outcome> {
    const claim = this.budget.claim();
    this.inFlight++;
    try {
      const outcome = await this.store(delivery, claim);
      ingestedBatches.inc({ result: "accepted" });
      ingestedEvents.inc({ result: "accepted" }, outcome.stored);
      if (outcome.rejected.length) ingestedEvents.inc({ result: "rejected" }, outcome.rejected.length);
      if (outcome.tally) observeBatch(outcome.tally);
      if (outcome.rollupRows) this.deps.rollupRows?.written(outcome.rollupRows);
      return outcome;
    } catch (error) {
      // A batch the caller may not send or write is refused (4xx), not failed: `failed`
      // feeds a paging alert about Failsight itself.
      ingestedBatches.inc({ result: isRefusal(error) ? "rejected" : "failed" });
      throw error;
    } finally {
      this.inFlight--;
      claim.release();
    }
  }

  /**
   * A batch is decoded, parsed and validated in a parse slot, which it keeps until a write
   * slot is free, then written. So the next batch's parse (on a worker thread) overlaps this
   * one's INSERT, where one slot for both left the second core idle while PostgreSQL wrote
   * (#15), and at most `concurrency` parsed batches wait for a writer: memory stays bounded.
   * A batch is one statement: a large body that arrived while no batch was being written
   * used to be cut in two, its head written while its tail was parsed, but once parsing
   * got cheap the second statement cost the database more than the parse it hid (#15:
   * written whole, one client 34.5k -> 36.9k events/s, the database's CPU per event 21.2
   * -> 17.7 µs, interleaved A/B).
   */
  private store(delivery: Delivery, claim: Claim): Promise<Outcome> {
    return inTwoStages(
      this.parsing,
      async () => this.prepare(delivery.actor, await this.decode(delivery, claim), claim),
      this.writing,
      (batch) => this.write(delivery, batch),
    );
  }

  /** Decodes a body and finds the format that reads it. */
  private async decode({ endpoint, body, contentType, encoding, lenient, actor }: Delivery, claim: Claim): Promise<Decoded> {
    const receivedAt = this.deps.now();
    const mediaType = mediaTypeOf(contentType);
    const { bytes, counted } = await decodeBody(body, encoding, claim, newCounter(mediaType));
    const format = formatFor(endpoint, mediaType, bytes);
    if (!format) throw new RequestError("unsupported-media-type", `${mediaType || "no Content-Type"} is not read here; send one of: ${formatNames(endpoint)}`);
    return {
      bytes,
      counted,
      mediaType,
      format,
      receivedAt,
      lenient: lenient === true || this.deps.lenient === true || (actor.kind === "ingest" && actor.lenient === true),
    };
  }

  /** The parse job for a decoded body. */
  private job(decoded: Decoded, claim: Claim): ParseJob {
    return {
      format: decoded.format.name,
      body: decoded.bytes,
      receivedAt: decoded.receivedAt,
      lenient: decoded.lenient,
      serviceLabels: this.deps.serviceLabels ?? DEFAULT_SERVICE_LABELS,
      allowance: claim.room(),
      ...(decoded.counted ? {} : { countAs: decoded.mediaType }),
    };
  }

  /** Parses and checks a decoded body: its events as columns, or a RequestError for a batch refused whole. */
  private async prepare(actor: Actor, decoded: Decoded, claim: Claim): Promise<Prepared> {
    const outcome = await this.parser.parse(this.job(decoded, claim), { alone: this.inFlight === 1 });
    if (!outcome.ok) throw raised(outcome);
    if (!claim.take(outcome.taken)) throw overBudget();
    const { parsed } = outcome;
    if (!parsed.ok) {
      ingestedEvents.inc({ result: "rejected" }, parsed.eventCount);
      throw new RequestError(parsed.code, `${parsed.errors.length} invalid field(s); nothing was stored`, parsed.errors);
    }
    const { columns } = parsed;
    if (columns.count > MAX_BATCH_EVENTS) {
      throw new RequestError("payload-too-large", `a batch holds at most ${MAX_BATCH_EVENTS} events (got ${columns.count}); nothing was stored`);
    }
    refuseOutsideScope(actor, columns);
    return { format: decoded.format, columns, rejected: parsed.rejected };
  }

  /**
   * Writes a prepared batch in its one transaction: a queue message's receipt, the events,
   * and the audit entry. One commit per batch; a redelivered message finds its receipt, and
   * then nothing is stored.
   */
  private async write({ actor, audit, receipt }: Delivery, { format, columns, rejected }: Prepared): Promise<Outcome> {
    const rollupRows = await asActor(this.deps.sql, actor, async (scoped) => {
      if (receipt && !(await recordReceipt(scoped.sql, receipt.source, receipt.messageId))) return undefined;
      const written = await writeBatch(scoped, this.deps.serviceIds, columns);
      await recordRequest(scoped.sql, actor, { ...audit, status: 200, filters: {}, rowCount: columns.count });
      return written.rollupRows;
    });
    if (rollupRows === undefined) return { stored: 0, rejected: [], format, duplicate: true };
    return { stored: columns.count, rejected, format, tally: columns.tally, rollupRows };
  }
}

/** A batch parsed and checked, waiting for a writer. */
type Prepared = { format: IngestFormat; columns: EventColumns; rejected: FieldError[] };

/** A body decoded, with what its parse needs. */
type Decoded = { bytes: Buffer; counted: boolean; mediaType: string; format: IngestFormat; receivedAt: Date; lenient: boolean };

/** Refuses a batch naming services its ingest key may not write to (row-level security holds the same line). */
function refuseOutsideScope(actor: Actor, columns: EventColumns) {
  const outside = actor.kind === "ingest" ? columns.services.filter((s) => !actor.services.includes(s)) : [];
  if (outside.length) throw new RequestError("forbidden", `this ingest key may not write to ${outside.join(", ")}; nothing was stored`);
}

function isRefusal(error: unknown): boolean {
  return error instanceof RequestError || (error as { code?: string }).code === "42501";
}
