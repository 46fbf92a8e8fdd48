import type { FieldError } from "../../domain/field-error.ts";
import type { LogEvent } from "../../domain/log-event.ts";
import type { RequestErrorCode } from "../../domain/request-error.ts";
import type { EventColumns } from "../event-columns.ts";

/** What a parser knows besides the body. */
export type ParseContext = {
  receivedAt: Date;
  /** Unknown fields go to attributes and common aliases are mapped, instead of refusing (native formats only). */
  lenient: boolean;
  /** Loki stream labels that name the service, in order (LOKI_SERVICE_LABELS). */
  serviceLabels: readonly string[];
  /** Claims decompressed bytes against the ingest budget; throws when over it. */
  take: (bytes: number) => void;
};

/**
 * A body read: the events to store and the ones refused one by one (formats whose clients
 * understand a partial success: OTLP, Loki), or the batch refused whole.
 */
export type ParsedBatch =
  | { ok: true; events: LogEvent[]; rejected: FieldError[] }
  | { ok: false; code: Extract<RequestErrorCode, "validation-error" | "malformed-json" | "payload-too-large">; errors: FieldError[]; eventCount: number };

/** A batch laid out as the batch writer takes it (../event-columns.ts). */
export type ColumnBatch = { ok: true; columns: EventColumns; rejected: FieldError[] };

/** The answer to a batch stored (some records may have been refused), in the format's own terms. */
export type FormatAnswer = { status: 200 | 204 | 400; contentType?: string; body?: string | Uint8Array };

/**
 * One wire format: the bodies it reads, how it turns one into events, and how it answers.
 * The intake (../intake.ts) does everything else, the same for every format; a new format
 * is one of these and an entry in ./registry.ts.
 */
export type IngestFormat = {
  name: string;
  /** Whether it reads this body: its media type (lower case, no parameters) and its first bytes. */
  reads(mediaType: string, head: Buffer): boolean;
  parse(body: Buffer, context: ParseContext): ParsedBatch;
  /**
   * The same body read straight into columns, for a format that can skip the per-event
   * objects on a clean batch; it may answer as `parse` does for a batch it does not vouch
   * for. The intake uses it where a format has it.
   */
  parseColumns?(body: Buffer, context: ParseContext): ColumnBatch | ParsedBatch;
  /**
   * The body cut into two bodies of this format whose batches, joined, are its batch, for
   * two workers to parse at once (parse-pool.ts); undefined when it cannot be cut cheaply.
   * Either half may be malformed where the body is not: the caller then parses the body.
   */
  halve?(body: Buffer): [Buffer, Buffer] | undefined;
  answer(stored: number, rejected: FieldError[]): FormatAnswer;
};
