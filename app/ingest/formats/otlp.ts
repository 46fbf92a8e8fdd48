import type { FieldError } from "../../domain/field-error.ts";
import { parseSeverity } from "../../domain/severity.ts";
import type { Severity } from "../../domain/vocabulary.ts";
import type { FormatAnswer, IngestFormat, ParseContext, ParsedBatch } from "./format.ts";
import { parseJsonBody, recordByRecord } from "./records.ts";
import { isJson, isProtobuf, looksLikeOtlpJson } from "./media-types.ts";
import { hex, messageType } from "./protobuf.ts";

// OTLP/HTTP logs (opentelemetry-proto, logs/v1), in JSON and in protobuf: what the
// OpenTelemetry SDKs and the Collector's otlphttp exporter send. Both encodings become the
// same plain request, mapped record by record onto Failsight's event; a record that does not
// fit is refused alone and reported in `partialSuccess`, as the protocol asks.

const SERVICE_FILE = "opentelemetry/proto/collector/logs/v1/logs_service.proto";
const REQUEST = "opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest";
const RESPONSE = "opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse";

/** AnyValue, as OTLP/JSON writes it and as protobufjs decodes it (int64 as string or number, bytes as base64 or bytes). */
type AnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: string | Uint8Array;
};
type KeyValue = { key: string; value?: AnyValue };
type LogRecord = {
  timeUnixNano?: string | number;
  observedTimeUnixNano?: string | number;
  severityNumber?: number;
  severityText?: string;
  body?: AnyValue;
  attributes?: KeyValue[];
  traceId?: string | Uint8Array;
  spanId?: string | Uint8Array;
  eventName?: string;
};
type ExportRequest = { resourceLogs?: { resource?: { attributes?: KeyValue[] }; scopeLogs?: { scope?: { name?: string }; logRecords?: LogRecord[] }[] }[] };

export const otlpJson: IngestFormat = {
  name: "OTLP/JSON (application/json)",
  reads: (mediaType, head) => isJson(mediaType) && looksLikeOtlpJson(head.toString("utf8")),
  parse(body, context) {
    const json = parseJsonBody<ExportRequest>(body);
    return json.ok ? mapRequest(json.value, context) : json;
  },
  answer: (_stored, rejected) => ({ status: 200, contentType: "application/json", body: JSON.stringify(partialSuccess(rejected)) }),
};

export const otlpProtobuf: IngestFormat = {
  name: "OTLP/protobuf (application/x-protobuf)",
  reads: isProtobuf,
  parse(body, context) {
    const type = messageType(SERVICE_FILE, REQUEST);
    let request: ExportRequest;
    try {
      request = type.toObject(type.decode(body), { longs: String, enums: Number }) as ExportRequest;
    } catch (error) {
      return { ok: false, code: "validation-error", errors: [{ field: "body", message: `not an OTLP ExportLogsServiceRequest: ${(error as Error).message}` }], eventCount: 0 };
    }
    return mapRequest(request, context);
  },
  answer: (_stored, rejected): FormatAnswer => {
    const type = messageType(SERVICE_FILE, RESPONSE);
    return { status: 200, contentType: "application/x-protobuf", body: type.encode(type.fromObject(partialSuccess(rejected))).finish() };
  },
};

function partialSuccess(rejected: FieldError[]) {
  if (!rejected.length) return {};
  const shown = rejected.slice(0, 5).map((e) => `record ${e.index}: ${e.field} ${e.message}`);
  return { partialSuccess: { rejectedLogRecords: String(rejected.length), errorMessage: `${shown.join("; ")}${rejected.length > 5 ? `; and ${rejected.length - 5} more` : ""}` } };
}

function mapRequest(request: ExportRequest, { receivedAt }: ParseContext): ParsedBatch {
  return recordByRecord(candidatesOf(request), receivedAt, { field: "resourceLogs", message: "holds no log records" });
}

function* candidatesOf(request: ExportRequest): Generator<Record<string, unknown>> {
  for (const resourceLogs of request.resourceLogs ?? []) {
    const resource = attributesOf(resourceLogs.resource?.attributes);
    const service = typeof resource["service.name"] === "string" ? resource["service.name"] : "unknown_service";
    delete resource["service.name"];
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      for (const record of scopeLogs.logRecords ?? []) yield toEvent(record, service, { ...resource, ...(scopeLogs.scope?.name ? { "otel.scope.name": scopeLogs.scope.name } : {}) });
    }
  }
}

/** The semantic-convention attributes that have a column, and how to read them. */
const COLUMNS = {
  method: ["http.request.method", "http.method"],
  route: ["http.route"],
  status: ["http.response.status_code", "http.status_code"],
  error_code: ["error.type"],
} as const;

function toEvent(record: LogRecord, service: string, resource: Record<string, unknown>): Record<string, unknown> {
  const attributes = { ...resource, ...attributesOf(record.attributes) };
  const take = (names: readonly string[]) => {
    const name = names.find((n) => attributes[n] !== undefined);
    if (name === undefined) return undefined;
    const value = attributes[name];
    delete attributes[name];
    return value;
  };
  const event: Record<string, unknown> = { service };
  for (const [column, names] of Object.entries(COLUMNS)) {
    const value = take(names);
    if (value !== undefined) event[column] = column === "status" ? Number(value) : String(value);
  }
  const seconds = take(["http.server.request.duration"]);
  const ms = seconds !== undefined ? Number(seconds) * 1000 : take(["duration_ms", "latency_ms"]);
  if (ms !== undefined) event.latency_ms = Number(ms);
  const time = nanosToMs(record.timeUnixNano) ?? nanosToMs(record.observedTimeUnixNano);
  if (time !== undefined) event.timestamp = time;
  event.level = levelOf(record);
  if (record.body !== undefined) event.message = record.body.stringValue ?? JSON.stringify(valueOf(record.body));
  const traceId = idOf(record.traceId);
  const spanId = idOf(record.spanId);
  if (traceId) event.trace_id = traceId;
  if (spanId) event.span_id = spanId;
  if (record.eventName) attributes["event.name"] = record.eventName;
  if (Object.keys(attributes).length) event.attributes = attributes;
  return event;
}

/** SeverityNumber's six bands (1–4 TRACE … 21–24 FATAL), else the text, else info. */
function levelOf(record: LogRecord): Severity {
  const n = Number(record.severityNumber ?? 0);
  if (n >= 1 && n <= 24) return (["trace", "debug", "info", "warn", "error", "fatal"] as const)[Math.floor((n - 1) / 4)]!;
  return (record.severityText && parseSeverity(record.severityText)) || "info";
}

function nanosToMs(nanos: string | number | undefined): number | undefined {
  if (nanos === undefined || nanos === "" || nanos === 0 || nanos === "0") return undefined;
  try {
    return Number(BigInt(nanos) / 1_000_000n);
  } catch {
    return undefined;
  }
}

/** Trace and span ids: hex in OTLP/JSON, bytes in protobuf; all zeros means none. */
function idOf(id: string | Uint8Array | undefined): string | undefined {
  const text = typeof id === "string" ? id.toLowerCase() : hex(id);
  return text && !/^0*$/.test(text) ? text : undefined;
}

function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, valueOf(kv.value)]));
}

function valueOf(value: AnyValue | undefined): unknown {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) {
    const n = Number(value.intValue);
    return Number.isSafeInteger(n) ? n : String(value.intValue);
  }
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  if (value.kvlistValue) return attributesOf(value.kvlistValue.values);
  if (value.bytesValue !== undefined) return typeof value.bytesValue === "string" ? value.bytesValue : Buffer.from(value.bytesValue).toString("base64");
  return null;
}
