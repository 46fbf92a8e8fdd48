import snappy from "snappyjs";
import type { FieldError } from "../../domain/field-error.ts";
import { MAX_BODY_BYTES } from "../limits.ts";
import type { FormatAnswer, IngestFormat, ParseContext, ParsedBatch } from "./format.ts";
import { liftAliases } from "./lenient.ts";
import { isJson, isProtobuf } from "./media-types.ts";
import { parseJsonBody, recordByRecord } from "./records.ts";
import { messageType } from "./protobuf.ts";

// Loki's push API: JSON (pino-loki, winston-loki, Fluent Bit's loki output) and
// snappy-compressed protobuf (Promtail, Grafana Alloy). A stream's labels name the service
// (the first of LOKI_SERVICE_LABELS it has) and the level; the other labels and each entry's
// structured metadata become attributes; a JSON log line has its fields lifted into columns.

const LEVEL_LABELS = ["level", "detected_level", "severity"];

type Entry = { ns: string; line: string; metadata: Record<string, string> };
type Stream = { labels: Record<string, string>; entries: Entry[] };

/** Loki answers a push with 204 and no body; refused entries (the rest were stored) with 400 and a line saying which. */
function answer(_stored: number, rejected: FieldError[]): FormatAnswer {
  if (!rejected.length) return { status: 204 };
  const shown = rejected.slice(0, 5).map((e) => `entry ${e.index}: ${e.field} ${e.message}`).join("; ");
  return { status: 400, contentType: "text/plain; charset=utf-8", body: `${rejected.length} entries refused, the others stored: ${shown}` };
}

export const lokiJson: IngestFormat = {
  name: "Loki push, JSON (application/json)",
  reads: isJson,
  parse(body, context) {
    const json = parseJsonBody<{ streams?: { stream?: Record<string, unknown>; values?: unknown[][] }[] }>(body);
    if (!json.ok) return json;
    const push = json.value;
    if (!Array.isArray(push?.streams)) return { ok: false, code: "validation-error", errors: [{ field: "streams", message: "must be an array of streams" }], eventCount: 0 };
    const streams = push.streams.map((s) => ({
      labels: stringsOf(s?.stream),
      entries: (Array.isArray(s?.values) ? s.values : []).map((v) => ({ ns: String(v?.[0] ?? ""), line: typeof v?.[1] === "string" ? v[1] : JSON.stringify(v?.[1] ?? ""), metadata: stringsOf(v?.[2]) })),
    }));
    return mapStreams(streams, context);
  },
  answer,
};

export const lokiProtobuf: IngestFormat = {
  name: "Loki push, snappy protobuf (application/x-protobuf)",
  reads: isProtobuf,
  parse(body, context) {
    let raw: Uint8Array;
    try {
      // A raw snappy block (not the framed format), with no Content-Encoding header.
      raw = snappy.uncompress(body, MAX_BODY_BYTES) as Uint8Array;
    } catch (error) {
      const tooLarge = /length/i.test((error as Error).message);
      return { ok: false, code: tooLarge ? "payload-too-large" : "validation-error", errors: [{ field: "body", message: tooLarge ? `more than ${MAX_BODY_BYTES} bytes uncompressed` : "not a snappy-compressed block" }], eventCount: 0 };
    }
    context.take(raw.length);
    const type = messageType("loki/push.proto", "logproto.PushRequest");
    let push: { streams?: { labels?: string; entries?: { timestamp?: { seconds?: string; nanos?: number }; line?: string; structuredMetadata?: { name: string; value: string }[] }[] }[] };
    try {
      push = type.toObject(type.decode(raw), { longs: String }) as typeof push;
    } catch (error) {
      return { ok: false, code: "validation-error", errors: [{ field: "body", message: `not a Loki PushRequest: ${(error as Error).message}` }], eventCount: 0 };
    }
    const streams: Stream[] = [];
    for (const s of push.streams ?? []) {
      const labels = parseLabels(s.labels ?? "");
      if (!labels) return { ok: false, code: "validation-error", errors: [{ field: "labels", message: `not a label set: ${(s.labels ?? "").slice(0, 200)}` }], eventCount: 0 };
      streams.push({
        labels,
        entries: (s.entries ?? []).map((e) => ({
          ns: (BigInt(e.timestamp?.seconds ?? "0") * 1_000_000_000n + BigInt(e.timestamp?.nanos ?? 0)).toString(),
          line: e.line ?? "",
          metadata: Object.fromEntries((e.structuredMetadata ?? []).map((p) => [p.name, p.value])),
        })),
      });
    }
    return mapStreams(streams, context);
  },
  answer,
};

function mapStreams(streams: Stream[], { receivedAt, serviceLabels }: ParseContext): ParsedBatch {
  return recordByRecord(candidatesOf(streams, serviceLabels), receivedAt, { field: "streams", message: "hold no entries" });
}

function* candidatesOf(streams: Stream[], serviceLabels: readonly string[]): Generator<Record<string, unknown>> {
  for (const { labels, entries } of streams) {
    const serviceLabel = serviceLabels.find((l) => labels[l]);
    const levelLabel = LEVEL_LABELS.find((l) => labels[l]);
    const streamAttributes = Object.fromEntries(Object.entries(labels).filter(([k]) => k !== serviceLabel && k !== levelLabel));
    for (const entry of entries) {
      const fromLine = liftedLine(entry.line);
      // Structured metadata's trace context (what Alloy attaches) has columns of its own.
      const { trace_id, span_id, level: metadataLevel, ...metadata } = entry.metadata;
      const attributes = { ...streamAttributes, ...metadata, ...(fromLine.attributes as object | undefined) };
      const level = (levelLabel && labels[levelLabel]) || metadataLevel || fromLine.level;
      yield {
        ...fromLine,
        service: serviceLabel ? labels[serviceLabel] : (fromLine.service ?? "unknown_service"),
        ...(level === undefined ? {} : { level }),
        timestamp: nanosToMs(entry.ns) ?? fromLine.timestamp,
        ...(trace_id ? { trace_id } : {}),
        ...(span_id ? { span_id } : {}),
        ...(Object.keys(attributes).length ? { attributes } : { attributes: undefined }),
      };
    }
  }
}

/** A log line that is a JSON object gives its fields (message, level, status...) to the columns; any other line is the message. */
function liftedLine(line: string): Record<string, unknown> {
  if (line.trimStart().startsWith("{")) {
    try {
      const lifted = liftAliases(JSON.parse(line)) as Record<string, unknown>;
      return { message: line, ...lifted };
    } catch {
      // not JSON after all: the line is the message
    }
  }
  return { message: line };
}

function nanosToMs(ns: string): number | undefined {
  if (!/^\d{1,25}$/.test(ns) || /^0+$/.test(ns)) return undefined;
  return Number(BigInt(ns) / 1_000_000n);
}

function stringsOf(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** A Prometheus label set, `{name="value", ...}` with \\" \\\\ and \\n escapes; undefined when it is not one. */
export function parseLabels(text: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  const s = text.trim();
  if (!s.startsWith("{") || !s.endsWith("}")) return undefined;
  const pair = /\s*([a-zA-Z_][a-zA-Z0-9_.]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  let at = 1;
  const end = s.length - 1;
  while (at < end) {
    pair.lastIndex = at;
    const m = pair.exec(s.slice(0, end));
    if (!m) return s.slice(at, end).trim() === "" ? labels : undefined;
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_all, ch: string) => (ch === "n" ? "\n" : ch));
    at = pair.lastIndex;
  }
  return labels;
}
