import type { FieldError } from "../domain/field-error.ts";
import { RequestError, type RequestErrorCode } from "../domain/request-error.ts";
import { mayFlood } from "./count-items.ts";
import { overBudget, refuseTooMany } from "./decode-body.ts";
import type { ColumnBatch, ParsedBatch, ParseContext } from "./formats/format.ts";
import { toColumns } from "./event-columns.ts";
import { formatNamed, newCounter } from "./formats/registry.ts";

/**
 * One body to parse, as it crosses to a parse worker: plain data only. `allowance` bounds
 * what the parser may decompress (the byte budget's room when the job was sent); the
 * bytes it took come back in `taken` for the caller to claim.
 */
export type ParseJob = {
  format: string;
  body: Buffer;
  receivedAt: Date;
  lenient: boolean;
  serviceLabels: readonly string[];
  allowance: number;
  /** Count the body's events before parsing (its media type's counter) where it could flood the parser (count-items.ts mayFlood): for a body not already counted as it was inflated. */
  countAs?: string;
};

/** A parsed body as the intake stores it: the events in columns, or the batch refused whole. */
export type StorableBatch = ColumnBatch | Extract<ParsedBatch, { ok: false }>;

/** What a parse gave: the batch, or the RequestError it raised (as data: a class does not cross threads). */
export type ParseOutcome =
  | { ok: true; parsed: StorableBatch; taken: number }
  | { ok: false; error: { code: RequestErrorCode; message: string; errors: FieldError[] | undefined } };

/** Runs the named format's parser on a job and lays its events out in columns: the one code path, in a worker or inline. */
export function runParse(job: ParseJob): ParseOutcome {
  const format = formatNamed(job.format);
  if (!format) throw new Error(`no ingest format named ${job.format}`);
  let taken = 0;
  try {
    if (job.countAs !== undefined && mayFlood(job.body)) refuseTooMany(newCounter(job.countAs)?.feed(job.body));
    const context: ParseContext = {
      receivedAt: job.receivedAt,
      lenient: job.lenient,
      serviceLabels: job.serviceLabels,
      take: (bytes) => {
        if (taken + bytes > job.allowance) throw overBudget();
        taken += bytes;
      },
    };
    const parsed = format.parseColumns ? format.parseColumns(job.body, context) : format.parse(job.body, context);
    return { ok: true, parsed: !parsed.ok || "columns" in parsed ? parsed : { ok: true, columns: toColumns(parsed.events), rejected: parsed.rejected }, taken };
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    return { ok: false, error: { code: error.code, message: error.message, errors: error.errors } };
  }
}

/** The RequestError a ParseOutcome carried, as the thread that asked raises it. */
export function raised(outcome: Extract<ParseOutcome, { ok: false }>): RequestError {
  return new RequestError(outcome.error.code, outcome.error.message, outcome.error.errors);
}
