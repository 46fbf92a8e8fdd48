import snappy from "snappyjs";
import { messageType } from "../app/ingest/formats/protobuf.ts";
import type { LogEvent } from "../app/domain/log-event.ts";

// One batch of events in each wire format Failsight reads, encoded as the shippers encode
// them, for the per-format ingest bench.

export type FormatBody = { name: string; path: string; contentType: string; body: (events: LogEvent[]) => Uint8Array | string; ok: number };

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const kv = (key: string, value: string | number) => ({ key, value: typeof value === "number" ? { intValue: value } : { stringValue: value } });

function otlpRequest(events: LogEvent[]) {
  const byService = groupBy(events, (e) => e.service);
  return {
    resourceLogs: [...byService].map(([service, list]) => ({
      resource: { attributes: [kv("service.name", service)] },
      scopeLogs: [{ logRecords: list.map((e) => ({
        timeUnixNano: `${e.timestamp.getTime()}000000`,
        severityText: e.level,
        body: { stringValue: e.message ?? "" },
        attributes: [...(e.status ? [kv("http.response.status_code", e.status)] : []), ...(e.route ? [kv("http.route", e.route)] : []), ...(e.method ? [kv("http.request.method", e.method)] : [])],
      })) }],
    })),
  };
}

function lokiStreams(events: LogEvent[]) {
  const byStream = groupBy(events, (e) => `${e.service}\u0000${e.level}`);
  return [...byStream.values()].map((list) => ({
    labels: { service_name: list[0]!.service, level: list[0]!.level },
    entries: list.map((e) => ({ ns: `${e.timestamp.getTime()}000000`, line: JSON.stringify({ msg: e.message, status: e.status, route: e.route, method: e.method }) })),
  }));
}

const otlpType = () => messageType("opentelemetry/proto/collector/logs/v1/logs_service.proto", "opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest");
const lokiType = () => messageType("loki/push.proto", "logproto.PushRequest");

/** Events as a body of Failsight's own JSON format, as a shipper sends them. */
export const nativeJsonBody = (events: readonly LogEvent[]) => JSON.stringify(events.map((e) => ({ ...e, timestamp: e.timestamp.toISOString() })));

export const FORMAT_BODIES: FormatBody[] = [
  { name: "Failsight JSON", path: "/v1/logs", contentType: "application/json", ok: 200, body: nativeJsonBody },
  { name: "NDJSON, lenient (pino's field names)", path: "/v1/logs?lenient=true", contentType: "application/x-ndjson", ok: 200, body: (events) => events.map((e) => JSON.stringify({ name: e.service, level: e.level, time: e.timestamp.getTime(), msg: e.message, statusCode: e.status, route: e.route })).join("\n") },
  { name: "OTLP/JSON", path: "/otlp/v1/logs", contentType: "application/json", ok: 200, body: (events) => JSON.stringify(otlpRequest(events)) },
  { name: "OTLP/protobuf", path: "/otlp/v1/logs", contentType: "application/x-protobuf", ok: 200, body: (events) => otlpType().encode(otlpType().fromObject(otlpRequest(events))).finish() },
  {
    name: "Loki push, JSON",
    path: "/loki/api/v1/push",
    contentType: "application/json",
    ok: 204,
    body: (events) => JSON.stringify({ streams: lokiStreams(events).map((s) => ({ stream: s.labels, values: s.entries.map((e) => [e.ns, e.line]) })) }),
  },
  {
    name: "Loki push, snappy protobuf",
    path: "/loki/api/v1/push",
    contentType: "application/x-protobuf",
    ok: 204,
    body: (events) => {
      const streams = lokiStreams(events).map((s) => ({
        labels: `{${Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(", ")}}`,
        entries: s.entries.map((e) => ({ timestamp: { seconds: Number(BigInt(e.ns) / 1_000_000_000n), nanos: Number(BigInt(e.ns) % 1_000_000_000n) }, line: e.line })),
      }));
      return snappy.compress(lokiType().encode(lokiType().fromObject({ streams })).finish());
    },
  },
];
