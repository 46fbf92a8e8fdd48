import { joinColumns } from "./event-columns.ts";
import { MAX_BATCH_EVENTS } from "./limits.ts";
import type { ParseJob, ParseOutcome } from "./parse-job.ts";
import { formatNamed } from "./formats/registry.ts";

/**
 * Bodies smaller than this are parsed whole: cutting one costs a copy of it and a join of
 * its columns, and two parses of half of 128 KiB (500 events) save a millisecond at most.
 */
export const HALVE_MIN_BYTES = 128 * 1024;

/**
 * A job's body as two jobs for two workers at once, where its format can cut it (IngestFormat
 * halve) and it is large enough to be worth it; not a lenient one, which maps fields event
 * by event and may refuse some of them one by one. A flood of tiny items is cut too: each
 * half's item counter refuses it (count-items.ts), and the whole body then refuses it as
 * it would have, without a scan of its own on the event loop here.
 */
export function halvesOf(job: ParseJob): [ParseJob, ParseJob] | undefined {
  if (job.lenient || job.body.length < HALVE_MIN_BYTES) return undefined;
  const halves = formatNamed(job.format)?.halve?.(job.body);
  return halves && [{ ...job, body: halves[0] }, { ...job, body: halves[1] }];
}

/**
 * The outcome of a body from its halves' outcomes: their columns joined when both were read
 * clean, whole and within MAX_BATCH_EVENTS together. Undefined for anything else, for the
 * caller to parse the body whole: a refusal then names its events by their index in the
 * body, and a body cut where it should not have been (halve-json-array.ts) is read as sent.
 */
export function joinHalves(first: ParseOutcome, second: ParseOutcome): ParseOutcome | undefined {
  if (!first.ok || !second.ok || !first.parsed.ok || !second.parsed.ok) return undefined;
  if (first.parsed.rejected.length || second.parsed.rejected.length) return undefined;
  const columns = joinColumns(first.parsed.columns, second.parsed.columns);
  if (columns.count > MAX_BATCH_EVENTS) return undefined;
  return { ok: true, parsed: { ok: true, columns, rejected: [] }, taken: first.taken + second.taken };
}
