import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { RequestError } from "../domain/request-error.ts";
import type { Claim } from "./byte-budget.ts";
import { MAX_BATCH_EVENTS, MAX_BODY_BYTES } from "./limits.ts";

type Counter = { feed(bytes: Uint8Array): number } | undefined;

export const overBudget = () => new RequestError("too-many-requests", "too many ingest bytes in flight right now; nothing was stored");

/**
 * The body's bytes, decompressed, within the budget: raw bytes are claimed, then
 * decompressed bytes as they come (a 5 KB gzip body can expand to 5 MiB), and the format's
 * counter sees every chunk, so neither a bomb nor a flood of `{}` is ever built into objects.
 * A body sent as it is has no counter here: the parser counts it first where it could
 * flood (parse-job.ts), off the event loop when a worker parses.
 */
export async function decodeBody(raw: ArrayBuffer, encoding: string | undefined, claim: Claim, counter: Counter): Promise<{ bytes: Buffer; counted: boolean }> {
  if (!claim.take(raw.byteLength)) throw overBudget();
  const bytes = Buffer.from(raw);
  const coding = (encoding ?? "identity").trim().toLowerCase();
  if (coding === "gzip" || coding === "x-gzip") return { bytes: await gunzipWithin(bytes, claim, counter), counted: true };
  if (coding !== "identity") throw new RequestError("unsupported-media-type", `Content-Encoding ${coding} is not supported; use gzip or none`);
  return { bytes, counted: false };
}

/** Refuses a body the format's counter found too many events in. */
export function refuseTooMany(events: number | undefined) {
  if (events !== undefined && events > MAX_BATCH_EVENTS) {
    throw new RequestError("payload-too-large", `a batch holds at most ${MAX_BATCH_EVENTS} events; nothing was stored`, [{ field: "events", message: `must hold at most ${MAX_BATCH_EVENTS} events` }]);
  }
}

async function gunzipWithin(compressed: Buffer, claim: Claim, counter: Counter): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of Readable.from([compressed]).pipe(createGunzip()) as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > MAX_BODY_BYTES) throw new RequestError("payload-too-large", `more than ${MAX_BODY_BYTES} bytes after decompression`);
      refuseTooMany(counter?.feed(chunk));
      if (!claim.take(chunk.length)) throw overBudget();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof RequestError) throw error;
    throw new RequestError("validation-error", "the body is not valid gzip", [{ field: "body", message: "not valid gzip" }]);
  }
  return Buffer.concat(chunks, total);
}
