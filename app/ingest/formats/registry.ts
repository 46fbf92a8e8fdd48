import { BatchItemCounter } from "../count-items.ts";
import type { IngestFormat } from "./format.ts";
import { isJson, isNdjson } from "./media-types.ts";
import { lokiJson, lokiProtobuf } from "./loki.ts";
import { nativeJson, nativeNdjson } from "./native-json.ts";
import { otlpJson, otlpProtobuf } from "./otlp.ts";

/**
 * The formats each ingest endpoint reads, tried in order: the native endpoint also takes
 * OTLP (an SDK pointed at Failsight's base URL posts to /v1/logs), told apart by media type
 * and the body's first bytes.
 */
export const ENDPOINT_FORMATS = {
  native: [nativeJson, nativeNdjson, otlpJson, otlpProtobuf],
  otlp: [otlpJson, otlpProtobuf],
  loki: [lokiJson, lokiProtobuf],
} as const satisfies Record<string, readonly IngestFormat[]>;

export type Endpoint = keyof typeof ENDPOINT_FORMATS;

/** Every format once, for a parse worker to find one by name. */
export const ALL_FORMATS: readonly IngestFormat[] = [...new Set(Object.values(ENDPOINT_FORMATS).flat())];

/** The format a parse job names (ParseJob carries the name across threads, not the object). */
export const formatNamed = (name: string): IngestFormat | undefined => ALL_FORMATS.find((f) => f.name === name);

/** The media type of a Content-Type header: lower case, without parameters. */
export const mediaTypeOf = (contentType: string | undefined) => (contentType ?? "").split(";")[0]!.trim().toLowerCase();

/** The format of `endpoint` that reads this body, or undefined. */
export function formatFor(endpoint: Endpoint, mediaType: string, body: Buffer): IngestFormat | undefined {
  const head = body.subarray(0, 256);
  return ENDPOINT_FORMATS[endpoint].find((f) => f.reads(mediaType, head));
}

export const formatNames = (endpoint: Endpoint) => ENDPOINT_FORMATS[endpoint].map((f) => f.name).join(", ");

/**
 * Counts events on the bytes as they arrive, before anything is parsed, so a flood is
 * refused early: JSON arrays' items, NDJSON's lines; protobuf is bounded by its size.
 */
export function newCounter(mediaType: string): { feed(bytes: Uint8Array): number } | undefined {
  if (isNdjson(mediaType)) return newLineCounter();
  if (isJson(mediaType)) return new BatchItemCounter();
  return undefined;
}

function newLineCounter() {
  let count = 0;
  return {
    feed(bytes: Uint8Array) {
      for (const b of bytes) if (b === 0x0a) count++;
      return count;
    },
  };
}
