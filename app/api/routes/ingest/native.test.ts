import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../../ingest/limits.ts";
import { testHarness, unique } from "../../../test-support/harness.ts";

const h = testHarness();

async function countFor(service: string): Promise<number> {
  const [row] = await h.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM log_events e JOIN services s ON s.id = e.service_id WHERE s.name = ${service}`;
  return row!.n;
}

async function problemOf(res: Response) {
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  return (await res.json()) as { status: number; title: string; detail?: string; errors?: { field: string; index?: number; message: string }[] };
}

describe("POST /v1/logs", () => {
  it("stores a batch after commit and answers with the count, registering new services", async () => {
    const service = unique("ingest");
    const res = await h.postJson("/v1/logs", {
      events: Array.from({ length: 250 }, (_, i) => ({ service, level: "info", message: `event ${i}`, status: 200, latency_ms: i })),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 250 });
    expect(await countFor(service)).toBe(250);
    expect((await h.get(`/services/${service}`)).status).toBe(200);
  });

  it("stores an omitted message as null, and an empty one as sent", async () => {
    const service = unique("no-message");
    expect((await h.postJson("/v1/logs", [{ service, status: 200 }, { service, status: 201, message: "" }])).status).toBe(200);
    const page = (await (await h.get(`/logs?service=${service}&order=asc`)).json()) as { items: { status: number; message: string | null }[] };
    expect(page.items.map((i) => [i.status, i.message])).toEqual([[200, null], [201, ""]]);
  });

  it("round-trips every field, including characters COPY must escape", async () => {
    const service = unique("fields");
    const message = "tab\there\nnewline\r\\backslash \\N not null, ünïcødé 🚀";
    // Stored and returned as sent; level, method and timestamp are normalised (below).
    const unchanged = {
      route: "/orders/:id",
      status: 502,
      error_code: "UPSTREAM_RESET",
      latency_ms: 12.75,
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      span_id: "00f067aa0ba902b7",
      attributes: { customer: "c-1", nested: { tab: "a\tb" }, list: [1, 2] },
    };
    const res = await h.postJson("/v1/logs", [
      {
        service,
        timestamp: "2026-11-24T10:15:00.123Z",
        level: "WARNING",
        message,
        method: "post",
        ...unchanged,
      },
    ]);
    expect(res.status).toBe(200);
    const body = (await (await h.get(`/logs?service=${service}`)).json()) as { items: Record<string, unknown>[] };
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({
      ts: "2026-11-24T10:15:00.123000Z",
      service,
      level: "warn",
      message,
      method: "POST",
      ...unchanged,
    });
  });

  it("rejects a batch with one bad event whole, naming its index and field, and keeps earlier batches", async () => {
    const service = unique("atomic");
    expect((await h.postJson("/v1/logs", [{ service, message: "accepted before" }])).status).toBe(200);
    const res = await h.postJson("/v1/logs", [
      { service, message: "good" },
      { service, message: "good" },
      { service, level: "loud" },
    ]);
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem.errors).toEqual([{ index: 2, field: "level", message: expect.stringContaining("must be one of") }]);
    expect(await countFor(service)).toBe(1);
  });

  it("refuses a level spelled like an object's own key (constructor, __proto__) with a 400, not a failed insert", async () => {
    const service = unique("protolevel");
    for (const level of ["constructor", "__proto__", "hasOwnProperty"]) {
      const res = await h.postJson("/v1/logs", [{ service, level }]);
      expect(res.status).toBe(400);
      expect((await problemOf(res)).errors).toEqual([{ index: 0, field: "level", message: expect.stringContaining("must be one of") }]);
    }
    expect(await countFor(service)).toBe(0);
  });

  it("accepts gzip and answers the same as plain JSON", async () => {
    const service = unique("gzip");
    const body = gzipSync(JSON.stringify([{ service, message: "compressed" }, { service, message: "too" }]));
    const res = await h.request("/v1/logs", { method: "POST", headers: { "content-type": "application/json", "content-encoding": "gzip" }, body });
    expect(res.status).toBe(200);
    expect(await countFor(service)).toBe(2);
  });

  it("puts each event in its month's partition and events outside every partition in DEFAULT", async () => {
    const service = unique("routing");
    const now = new Date();
    const thisMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 15));
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    const longAgo = new Date(Date.UTC(2001, 4, 5));
    const res = await h.postJson("/v1/logs", [thisMonth, nextMonth, longAgo].map((d) => ({ service, timestamp: d.toISOString() })));
    expect(res.status).toBe(200);
    const rows = await h.sql<{ partition: string; ts_ms: number }[]>`
      SELECT e.tableoid::regclass::text AS partition, (extract(epoch FROM e.ts) * 1000)::float8 AS ts_ms
      FROM log_events e JOIN services s ON s.id = e.service_id WHERE s.name = ${service} ORDER BY e.ts`;
    const name = (d: Date) => `log_events_p${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
    expect(rows.map((r) => r.partition)).toEqual(["log_events_default", name(thisMonth), name(nextMonth)]);
  });

  describe("bad input is a 4xx problem, never a 500", () => {
    it("malformed JSON is 400", async () => {
      const res = await h.request("/v1/logs", { method: "POST", headers: { "content-type": "application/json" }, body: "[{" });
      expect(res.status).toBe(400);
      expect((await problemOf(res)).title).toMatch(/not valid JSON/);
    });

    it("a body of the wrong shape is 400", async () => {
      const res = await h.postJson("/v1/logs", { service: "x" });
      expect(res.status).toBe(400);
      expect((await problemOf(res)).errors?.[0]?.field).toBe("body");
    });

    it("wrong types and out-of-range values name the field", async () => {
      const res = await h.postJson("/v1/logs", [{ service: "x", status: "500", latency_ms: -1, timestamp: 1e20 }]);
      expect(res.status).toBe(400);
      expect((await problemOf(res)).errors?.map((e) => e.field).sort()).toEqual(["latency_ms", "status", "timestamp"]);
    });

    it("a body that is not JSON is 415", async () => {
      const res = await h.request("/v1/logs", { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" });
      expect(res.status).toBe(415);
    });

    it("an unknown content encoding is 415, broken gzip is 400", async () => {
      const br = await h.request("/v1/logs", { method: "POST", headers: { "content-type": "application/json", "content-encoding": "br" }, body: "[]" });
      expect(br.status).toBe(415);
      const broken = await h.request("/v1/logs", { method: "POST", headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: "not gzip" });
      expect(broken.status).toBe(400);
    });

    it("a body over 5 MiB is 413", async () => {
      const huge = JSON.stringify([{ service: "x", message: "a".repeat(MAX_BODY_BYTES) }]);
      const res = await h.request("/v1/logs", { method: "POST", headers: { "content-type": "application/json" }, body: huge });
      expect(res.status).toBe(413);
      await problemOf(res);
    });

    it("a gzip body that inflates past 5 MiB is 413", async () => {
      const bomb = gzipSync(JSON.stringify([{ service: "x", message: "a".repeat(MAX_BODY_BYTES + 10) }]));
      expect(bomb.length).toBeLessThan(100_000);
      const res = await h.request("/v1/logs", { method: "POST", headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: bomb });
      expect(res.status).toBe(413);
    });

    it("more than 5,000 events is 413", async () => {
      const res = await h.postJson("/v1/logs", Array.from({ length: 5_001 }, () => ({ service: "x" })));
      expect(res.status).toBe(413);
      expect((await problemOf(res)).errors?.[0]?.field).toBe("events");
    });
  });
});

describe("lenient mode and Basic auth", () => {
  const pinoLine = (service: string, msg: string) => JSON.stringify({ level: 40, time: Date.now(), name: service, msg, hostname: "box" });

  it("strict by default; lenient by the request, or by an ingest key made lenient", async () => {
    const service = unique("lenient");
    const strict = await h.request("/v1/logs", { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: pinoLine(service, "strict") });
    expect(strict.status).toBe(400);
    expect(JSON.stringify(await strict.json())).toContain("unknown field");
    const asked = await h.request("/v1/logs?lenient=true", { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: pinoLine(service, "asked") });
    expect(asked.status).toBe(200);
    const { createKey } = await import("../../../access/api-keys.ts");
    const lenientKey = (await createKey(h.sql, { name: unique("lenient-key"), services: [service], lenient: true }))!;
    expect(lenientKey.lenient).toBe(true);
    const byKey = await fetchApp("/v1/logs", { method: "POST", headers: { authorization: `Bearer ${lenientKey.key}`, "content-type": "application/x-ndjson" }, body: pinoLine(service, "by key") });
    expect(byKey.status).toBe(200);
    const rows = await h.sql<{ message: string; level: string; attributes: { hostname: string } }[]>`
      SELECT message, level::text, attributes FROM log_events e JOIN services s ON s.id = e.service_id WHERE s.name = ${service} ORDER BY e.id`;
    expect(rows).toEqual([
      { message: "asked", level: "warn", attributes: { hostname: "box" } },
      { message: "by key", level: "warn", attributes: { hostname: "box" } },
    ]);
  });

  it("takes the key as a Basic password, and refuses a wrong one or none", async () => {
    const service = unique("basic");
    const ingest = await h.caller({ ingest: [service] });
    const basic = (password: string) => `Basic ${Buffer.from(`anyone:${password}`).toString("base64")}`;
    const send = (authorization: string) => fetchApp("/v1/logs", { method: "POST", headers: { authorization, "content-type": "application/json" }, body: JSON.stringify([{ service }]) });
    expect((await send(basic(ingest.key!))).status).toBe(200);
    expect((await send(basic("fsk_aaaaaaaa_" + "b".repeat(43)))).status).toBe(401);
    expect((await send(`Basic ${Buffer.from("only-a-user:").toString("base64")}`)).status).toBe(401);
  });
});

function fetchApp(path: string, init: RequestInit) {
  return Promise.resolve(h.app.request(path, init));
}
