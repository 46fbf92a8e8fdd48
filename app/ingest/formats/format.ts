import type { FieldError } from "../../domain/field-error.ts";
import type { LogEvent } from "../../domain/log-event.ts";
import type { RequestErrorCode } from "../../domain/request-error.ts";

/** A batch read from one body: every event, or every reason it was refused. */
export type ParsedBatch =
  | { ok: true; events: LogEvent[] }
  | { ok: false; code: Extract<RequestErrorCode, "validation-error" | "malformed-json" | "payload-too-large">; errors: FieldError[]; eventCount: number };

/**
 * One wire format: which media types it reads and how it turns a body into events. The
 * intake (../intake.ts) does the rest, the same for every format; a new format is one of
 * these and a line in ./registry.ts.
 */
export type IngestFormat = {
  name: string;
  /** Media types (lower case, without parameters) this format reads. */
  mediaTypes: (mediaType: string) => boolean;
  /**
   * Counts events on the bytes as they arrive, before anything is parsed, so a flood is
   * refused early; formats that cannot count cheaply leave it out.
   */
  newCounter?: () => { feed(bytes: Uint8Array): number };
  parse(body: Buffer, receivedAt: Date): ParsedBatch;
};
