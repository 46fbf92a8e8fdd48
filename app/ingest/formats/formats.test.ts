import snappy from "snappyjs";
import { describe, expect, it } from "vitest";
import type { ParseContext } from "./format.ts";
import { liftAliases } from "./lenient.ts";
import { lokiJson, lokiProtobuf, parseLabels } from "./loki.ts";
import { DEFAULT_SERVICE_LABELS } from "./service-labels.ts";
import { nativeNdjson } from "./native-json.ts";
import { otlpJson, otlpProtobuf } from "./otlp.ts";
import { messageType } from "./protobuf.ts";
import { formatFor } from "./registry.ts";

const receivedAt = new Date("2026-11-24T10:00:00Z");
const context = (over: Partial<ParseContext> = {}): ParseContext => ({ receivedAt, lenient: false, serviceLabels: DEFAULT_SERVICE_LABELS, take: () => {}, ...over });
const body = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value));

describe("choosing the format", () => {
  it("tells native JSON, NDJSON, OTLP/JSON and OTLP/protobuf apart on /v1/logs by media type and first bytes", () => {
    expect(formatFor("native", "application/json", body([{ service: "a" }]))?.name).toMatch(/^Failsight JSON/);
    expect(formatFor("native", "application/json", body({ events: [] }))?.name).toMatch(/^Failsight JSON/);
    expect(formatFor("native", "application/json", body('  {"resourceLogs": []}'))?.name).toMatch(/^OTLP\/JSON/);
    expect(formatFor("native", "application/x-ndjson", body("{}\n"))?.name).toMatch(/NDJSON/);
    expect(formatFor("native", "application/x-protobuf", Buffer.alloc(0))?.name).toMatch(/^OTLP\/protobuf/);
    expect(formatFor("otlp", "application/json", body([{ service: "a" }]))).toBeUndefined();
    expect(formatFor("loki", "application/x-protobuf", Buffer.alloc(0))?.name).toMatch(/^Loki push, snappy/);
    expect(formatFor("native", "text/plain", body("x"))).toBeUndefined();
  });
});

describe("OTLP", () => {
  const request = {
    resourceLogs: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "checkout" } }, { key: "host.name", value: { stringValue: "node-1" } }] },
        scopeLogs: [
          {
            scope: { name: "lib" },
            logRecords: [
              { timeUnixNano: "1764000000123456789", severityNumber: 17, body: { stringValue: "boom" }, traceId: "4BF92F3577B34DA6A3CE929D0E0E4736", spanId: "0000000000000000", attributes: [{ key: "http.response.status_code", value: { intValue: 503 } }, { key: "tags", value: { arrayValue: { values: [{ stringValue: "a" }, { intValue: "9007199254740993" }] } } }] },
              { observedTimeUnixNano: 1764000000000000000, severityText: "Warning", body: { kvlistValue: { values: [{ key: "k", value: { boolValue: true } }] } } },
              { severityNumber: 9 },
            ],
          },
        ],
      },
    ],
  };

  it("maps a record's fields, and keeps the rest as attributes, alike from JSON and from protobuf", () => {
    const fromJson = otlpJson.parse(body(request), context());
    const type = messageType("opentelemetry/proto/collector/logs/v1/logs_service.proto", "opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest");
    const asProto = JSON.parse(JSON.stringify(request).replace('"4BF92F3577B34DA6A3CE929D0E0E4736"', JSON.stringify(Buffer.from("4bf92f3577b34da6a3ce929d0e0e4736", "hex").toString("base64"))).replace('"0000000000000000"', '"AAAAAAAAAAA="'));
    const fromProto = otlpProtobuf.parse(Buffer.from(type.encode(type.fromObject(asProto)).finish()), context());
    for (const parsed of [fromJson, fromProto]) {
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      expect(parsed.rejected).toEqual([]);
      const [a, b, c] = parsed.events;
      expect(a).toMatchObject({ service: "checkout", level: "error", message: "boom", status: 503, trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", timestamp: new Date(1764000000123) });
      expect(a!.span_id).toBeUndefined(); // all zeros: no span
      expect(a!.attributes).toEqual({ "host.name": "node-1", "otel.scope.name": "lib", tags: ["a", "9007199254740993"] });
      expect(b).toMatchObject({ level: "warn", message: '{"k":true}', timestamp: new Date(1764000000000) });
      expect(c).toMatchObject({ level: "info", timestamp: receivedAt });
      expect(c!.message).toBeUndefined();
    }
  });

  it("refuses a record alone and says which, and the whole request only when no record can be stored", () => {
    const bad = { resourceLogs: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "has space" } }] }, scopeLogs: [{ logRecords: [{ body: { stringValue: "x" } }] }] }] };
    const mixed = { resourceLogs: [...request.resourceLogs, ...bad.resourceLogs] };
    const parsed = otlpJson.parse(body(mixed), context());
    expect(parsed.ok && parsed.rejected).toEqual([{ index: 3, field: "service", message: "must be printable ASCII without spaces" }]);
    expect(JSON.parse(otlpJson.answer(3, parsed.ok ? parsed.rejected : []).body as string)).toEqual({ partialSuccess: { rejectedLogRecords: "1", errorMessage: "record 3: service must be printable ASCII without spaces" } });
    expect(otlpJson.parse(body(bad), context())).toMatchObject({ ok: false, code: "validation-error" });
    expect(otlpJson.parse(body({ resourceLogs: [] }), context())).toMatchObject({ ok: false, errors: [{ field: "resourceLogs" }] });
    expect(otlpProtobuf.parse(Buffer.from([0x0a, 0xff, 0xff]), context())).toMatchObject({ ok: false, code: "validation-error" });
  });
});

describe("Loki push", () => {
  it("reads Prometheus label sets, escapes included, and refuses what is not one", () => {
    expect(parseLabels('{service_name="checkout", job="a\\"b\\\\c", x="line\\nbreak"}')).toEqual({ service_name: "checkout", job: 'a"b\\c', x: "line\nbreak" });
    expect(parseLabels("{}")).toEqual({});
    expect(parseLabels('{a="1",}')).toEqual({ a: "1" });
    for (const bad of ['service="x"', '{a=1}', '{a="1" b="2"}', '{"a"="1"}']) expect(parseLabels(bad), bad).toBeUndefined();
  });

  it("takes the service from the first configured label, the level from a label, and lifts a JSON line", () => {
    const push = { streams: [{ stream: { app: "shop", job: "ignored-for-service", level: "error" }, values: [["1764000000000000000", '{"msg":"db down","status":503,"user":"u1"}', { trace_id: "abc" }], ["1764000001000000000", "plain text"]] }] };
    const parsed = lokiJson.parse(body(push), context({ serviceLabels: ["service", "app", "job"] }));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.events[0]).toMatchObject({ service: "shop", level: "error", message: "db down", status: 503, timestamp: new Date(1764000000000), trace_id: "abc" });
    expect(parsed.events[0]!.attributes).toEqual({ job: "ignored-for-service", user: "u1" });
    expect(parsed.events[1]).toMatchObject({ service: "shop", message: "plain text" });
    expect(lokiJson.parse(body({ streams: [{ stream: {}, values: [["1", "x"]] }] }), context()).ok && true).toBe(true); // unknown_service
  });

  it("reads a snappy-compressed protobuf push as Promtail sends it, and refuses a body that is not one", () => {
    const type = messageType("loki/push.proto", "logproto.PushRequest");
    const push = type.encode(type.fromObject({ streams: [{ labels: '{service_name="api", detected_level="warn"}', entries: [{ timestamp: { seconds: 1764000000, nanos: 5_000_000 }, line: "slow", structuredMetadata: [{ name: "pod", value: "api-1" }] }] }] })).finish();
    const parsed = lokiProtobuf.parse(Buffer.from(snappy.compress(push)), context());
    expect(parsed.ok && parsed.events[0]).toMatchObject({ service: "api", level: "warn", message: "slow", timestamp: new Date(1764000000005), attributes: { pod: "api-1" } });
    expect(lokiProtobuf.parse(Buffer.from("not snappy at all"), context())).toMatchObject({ ok: false, code: "validation-error" });
    expect(lokiProtobuf.answer(1, [])).toEqual({ status: 204 });
    expect(lokiProtobuf.answer(1, [{ index: 2, field: "service", message: "bad" }]).status).toBe(400);
  });
});

describe("lenient mode and NDJSON", () => {
  it("maps the names shippers use, and keeps the rest in attributes", () => {
    expect(liftAliases({ name: "api", level: 50, time: 1764000000000, msg: "boom", hostname: "h", attributes: { a: 1 } })).toEqual({ service: "api", level: "error", timestamp: 1764000000000, message: "boom", attributes: { hostname: "h", a: 1 } });
    expect(liftAliases({ service: "api", "@timestamp": "2026-11-24T10:00:00Z", severity: "WARNING", log: "x", stream: "stdout" })).toEqual({ service: "api", timestamp: "2026-11-24T10:00:00.000Z", level: "WARNING", message: "x", attributes: { stream: "stdout" } });
    expect(liftAliases({ service: "api", ts: 1764000000.5, level: "loud", statusCode: "404" })).toEqual({ service: "api", timestamp: 1764000000500, status: 404, attributes: { level: "loud" } });
  });

  it("reads NDJSON line by line, naming a broken line, and strict mode still refuses unknown fields", () => {
    const lines = '{"service":"a","message":"one"}\n\n{"service":"a","message":"two"}\n';
    expect(nativeNdjson.parse(body(lines), context())).toMatchObject({ ok: true, events: [{ message: "one" }, { message: "two" }] });
    expect(nativeNdjson.parse(body('{"service":"a"}\n{oops\n'), context())).toMatchObject({ ok: false, code: "malformed-json", errors: [{ field: "line 2", index: 1 }] });
    expect(nativeNdjson.parse(body('{"service":"a","msg":"x"}'), context())).toMatchObject({ ok: false, errors: [{ field: "msg", message: "unknown field" }] });
    expect(nativeNdjson.parse(body('{"service":"a","msg":"x"}'), context({ lenient: true }))).toMatchObject({ ok: true, events: [{ message: "x" }] });
  });
});
