import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { OTLPLogExporter as OtlpHttpExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as OtlpProtoExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { pino } from "pino";
import { pinoLoki } from "pino-loki";
import { createWriteStream as httpSend } from "pino-http-send";
import winston from "winston";
import LokiTransport from "winston-loki";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testHarness, unique, type Caller } from "../../../test-support/harness.ts";

// The shippers people already run, as they ship: the real client libraries, over real HTTP,
// to a Failsight listening on a port, on the real database, each with an ingest key that may
// write one service and not another. What they send must show up in /logs with its fields
// mapped; what the key may not write must be refused with nothing stored.

const h = testHarness();
let server: Server;
let base = "";
let key: Caller;
const allowed = unique("shipped");
const forbidden = unique("not-yours");

beforeAll(async () => {
  server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  key = await h.caller({ ingest: [allowed] });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

type Item = { service: string; level: string; message: string | null; status: number | null; trace_id: string | null; span_id: string | null; method: string | null; route: string | null; latency_ms: number | null; error_code: string | null; attributes: Record<string, unknown> | null };
async function logsWith(marker: string, wantAtLeast = 1): Promise<Item[]> {
  for (let i = 0; i < 100; i++) {
    const page = (await (await h.get(`/logs?q=${encodeURIComponent(marker)}&from=now-1h&limit=100&order=asc`)).json()) as { items: Item[] };
    if (page.items.length >= wantAtLeast) return page.items;
    await new Promise((r) => setTimeout(r, 100));
  }
  return [];
}
const byMessage = (items: Item[]) => Object.fromEntries(items.map((i) => [i.message ?? "", i]));
async function countOf(marker: string): Promise<number> {
  return (await h.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM log_events WHERE message LIKE ${`%${marker}%`}`)[0]!.n;
}

describe.each([
  ["OTLP/JSON", () => new OtlpHttpExporter({ url: `${base}/v1/logs`, headers: { authorization: `Bearer ${key.key}` } })],
  ["OTLP/protobuf", () => new OtlpProtoExporter({ url: `${base}/otlp/v1/logs`, headers: { authorization: `Bearer ${key.key}` } })],
])("the OpenTelemetry logs SDK, %s exporter", (_name, exporter) => {
  const emit = async (service: string, marker: string) => {
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ "service.name": service, "deployment.environment": "test" }), processors: [new BatchLogRecordProcessor({ exporter: exporter() })] });
    const logger = provider.getLogger("checkout-handler");
    logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: "ERROR", body: `${marker} payment timed out`, attributes: { "http.request.method": "POST", "http.route": "/pay", "http.response.status_code": 504, "error.type": "TIMEOUT", "http.server.request.duration": 1.5, customer: "c-42" }, context: undefined });
    logger.emit({ severityNumber: SeverityNumber.INFO, body: `${marker} paid`, attributes: { "http.response.status_code": 200 } });
    await provider.forceFlush();
    await provider.shutdown();
  };

  it("delivers every record with service, level, status, method, route, error and duration mapped", async () => {
    const marker = unique("otel");
    await emit(allowed, marker);
    const items = await logsWith(marker, 2);
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ service: allowed, level: "error", status: 504, method: "POST", route: "/pay", error_code: "TIMEOUT", latency_ms: 1500 });
    expect(items[0]!.attributes).toMatchObject({ customer: "c-42", "deployment.environment": "test", "otel.scope.name": "checkout-handler" });
    expect(items[1]).toMatchObject({ service: allowed, level: "info", status: 200 });
  });

  it("stores nothing for a service the ingest key may not write", async () => {
    const marker = unique("otel-refused");
    await emit(forbidden, marker);
    await new Promise((r) => setTimeout(r, 300));
    expect(await countOf(marker)).toBe(0);
  });
});

it("maps an SDK record's trace context to trace_id and span_id", async () => {
  const marker = unique("otel-trace");
  const res = await fetch(`${base}/v1/logs`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key.key}` },
    body: JSON.stringify({
      resourceLogs: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: allowed } }] }, scopeLogs: [{ logRecords: [
        { timeUnixNano: "1764000000000000000", severityText: "warning", body: { stringValue: `${marker} one` }, traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" },
        { severityNumber: 9, body: { stringValue: `${marker} bad` }, attributes: [{ key: "http.response.status_code", value: { intValue: "999" } }] },
      ] }] }],
    }),
  });
  expect(res.status).toBe(200);
  const answer = (await res.json()) as { partialSuccess?: { rejectedLogRecords: string; errorMessage: string } };
  expect(answer.partialSuccess?.rejectedLogRecords).toBe("1");
  expect(answer.partialSuccess?.errorMessage).toContain("record 1: status");
  const [item] = await h.sql<{ trace_id: string; span_id: string; level: string; ts: string }[]>`
    SELECT trace_id, span_id, level::text, to_json(ts)#>>'{}' AS ts FROM log_events WHERE message = ${`${marker} one`}`;
  expect(item).toEqual({ trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7", level: "warn", ts: "2025-11-24T16:00:00+00:00" });
});

describe("pino with pino-loki (Loki push, JSON)", () => {
  const ship = async (service: string, marker: string) => {
    const stream = pinoLoki({ host: base, basicAuth: { username: "pino", password: key.key! }, labels: { service_name: service, env: "test" }, batching: false, silenceErrors: true });
    const logger = pino({ level: "debug" }, stream);
    logger.warn({ status: 503, route: "/orders" }, `${marker} upstream slow`);
    logger.info(`${marker} plain line`);
    await new Promise((r) => setTimeout(r, 500));
    stream.end();
  };

  it("delivers lines with the service from a label, the level and the fields of a JSON line", async () => {
    const marker = unique("pino-loki");
    await ship(allowed, marker);
    // Each line is its own request (batching off), so they may commit in either order.
    const items = byMessage(await logsWith(marker, 2));
    expect(items[`${marker} upstream slow`]).toMatchObject({ service: allowed, level: "warn", status: 503, route: "/orders", attributes: { env: "test" } });
    expect(items[`${marker} plain line`]).toMatchObject({ service: allowed, level: "info" });
  });

  it("stores nothing for a service the ingest key may not write", async () => {
    const marker = unique("pino-loki-refused");
    await ship(forbidden, marker);
    expect(await countOf(marker)).toBe(0);
  });
});

describe.each([
  ["JSON", true],
  ["snappy protobuf", false],
])("winston with winston-loki (Loki push, %s)", (_name, json) => {
  const ship = async (service: string, marker: string) => {
    const transport = new LokiTransport({ host: base, basicAuth: `winston:${key.key}`, labels: { app: service }, json, batching: false, gracefulShutdown: false, onConnectionError: () => {} });
    // winston-loki falls back to JSON without its native snappy: make sure each case is the one it says.
    expect((transport as unknown as { batcher: { contentType: string } }).batcher.contentType).toBe(json ? "application/json" : "application/x-protobuf");
    const logger = winston.createLogger({ transports: [transport] });
    logger.error(`${marker} disk full`, { labels: { detected_level: "error" } });
    logger.info(`${marker} all good`);
    await new Promise((r) => setTimeout(r, 500));
    logger.close();
  };

  it("delivers lines with the service from the app label", async () => {
    const marker = unique("winston");
    await ship(allowed, marker);
    const items = await logsWith(marker, 2);
    expect(items.map((i) => i.service)).toEqual([allowed, allowed]);
    expect(items.map((i) => i.message)).toEqual(expect.arrayContaining([expect.stringContaining(`${marker} disk full`), expect.stringContaining(`${marker} all good`)]));
  });

  it("stores nothing for a service the ingest key may not write", async () => {
    const marker = unique("winston-refused");
    await ship(forbidden, marker);
    expect(await countOf(marker)).toBe(0);
  });
});

describe("pino with pino-http-send (NDJSON, lenient, Basic auth)", () => {
  const ship = async (service: string, marker: string) => {
    const stream = httpSend({ url: `${base}/v1/logs?lenient=true`, method: "POST", bodyType: "ndjson", username: "pino", password: key.key!, headers: { "content-type": "application/x-ndjson" }, batchSize: 10, timeout: 100, retries: 0, silent: true } as never);
    const logger = pino({ name: service, base: { pid: 1, hostname: "box" } }, stream);
    logger.error({ statusCode: 500, responseTime: 12.5, req: { url: "/x" } }, `${marker} handler crashed`);
    logger.info(`${marker} request done`);
    await new Promise((r) => setTimeout(r, 800));
    stream.end();
  };

  it("delivers pino's own lines: name as service, numeric level, msg, and the rest in attributes", async () => {
    const marker = unique("pino-http");
    await ship(allowed, marker);
    const items = byMessage(await logsWith(marker, 2));
    expect(items[`${marker} handler crashed`]).toMatchObject({ service: allowed, level: "error", status: 500, latency_ms: 12.5, attributes: { pid: 1, hostname: "box", req: { url: "/x" } } });
    expect(items[`${marker} request done`]).toMatchObject({ service: allowed, level: "info" });
  });

  it("stores nothing for a service the ingest key may not write", async () => {
    const marker = unique("pino-http-refused");
    await ship(forbidden, marker);
    expect(await countOf(marker)).toBe(0);
  });
});
