import { describe, expect, it } from "vitest";
import { errorContentType } from "../test-support/error-shape.ts";
import { testHarness, unique } from "../test-support/harness.ts";

// A sweep of hostile input over every route and parameter the OpenAPI document lists, as
// an admin (the caller who gets furthest into each handler): every answer is a 4xx or a
// 2xx, never a 5xx, and every error is problem+json (Loki's read API: Loki's JSON).
const h = testHarness();

const NASTY_STRINGS = [
  "\u0000",
  "a\u0000b",
  "C:\\u0000dir",
  "\ud800",
  "x\udfffy",
  "%",
  "'; DROP TABLE services; --",
  "x".repeat(20_000),
  "999999999999999",
  "-999999999999999",
  "1e20",
  "NaN",
  "now-999999w",
  "now+1e9d",
  "2026-02-30T00:00:00Z",
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59.999999999Z",
  "",
];
const NASTY_PATH = ["%00", "a%00b", "%ED%A0%80", "%FF", "..%2F..%2Fetc", encodeURIComponent("x".repeat(5_000))];
const cursor = (o: Record<string, unknown>) => Buffer.from(JSON.stringify({ v: 1, f: "x", ts: "2026-11-01T00:00:00.000000Z", id: 1, s: 1, ...o })).toString("base64url");
const NASTY_CURSORS = [
  cursor({ ts: "2026-13-01T00:00:00.000000Z" }),
  cursor({ ts: "0000-01-01T00:00:00.000000Z" }),
  cursor({ ts: "2026-02-30T00:00:00.000000Z" }),
  cursor({ from: 1e20, to: 1e20 }),
  cursor({ from: -1e20 }),
  cursor({ id: 2 ** 64, s: 2 ** 64 }),
  "%00",
  "!!!",
];
/** Percent-encoded; a lone surrogate has no UTF-8 form, so it goes as the bytes a careless client would send. */
const enc = (v: string) => {
  try {
    return encodeURIComponent(v);
  } catch {
    return "%ED%A0%80";
  }
};
/** JSON nested `levels` deep, as text: JSON.stringify itself overflows the stack on it. */
const deep = (levels: number) => `${'{"k":'.repeat(levels)}"leaf"${"}".repeat(levels)}`;

type Param = { name: string; in: "path" | "query" };
type Operation = { parameters?: Param[]; requestBody?: { content: Record<string, { schema: unknown }> } };

const failures: string[] = [];
async function probe(label: string, res: Response) {
  if (res.status >= 500) failures.push(`${label} → ${res.status} ${(await res.text()).slice(0, 200)}`);
  else if (res.status >= 400) {
    // The label starts "<method> <route template>".
    const expected = errorContentType(label.split(" ")[1]!);
    if (res.headers.get("content-type") !== expected) failures.push(`${label} → ${res.status} not ${expected}`);
  }
}

describe("hostile input", () => {
  it("no route answers any of it with a 5xx", async () => {
    const service = unique("svc-sweep");
    expect((await h.postJson("/v1/logs", [{ service }])).status).toBe(200);
    const doc = (await (await h.get("/openapi.json")).json()) as { paths: Record<string, Record<string, Operation>> };
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const params = op.parameters ?? [];
        const fill = (values: Record<string, string> = {}) =>
          template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? (name === "id" ? "1" : name === "prefix" ? "abcdefgh" : service));
        const send = (path: string, body?: unknown, raw?: string) =>
          h.request(path, { method: method.toUpperCase(), ...(body !== undefined || raw !== undefined ? { headers: { "content-type": "application/json" }, body: raw ?? JSON.stringify(body) } : {}) });
        for (const p of params.filter((p) => p.in === "path")) {
          for (const v of NASTY_PATH) await probe(`${method} ${template} ${p.name}=${v.slice(0, 20)}`, await send(fill({ [p.name]: v }), method === "get" || method === "delete" ? undefined : {}));
        }
        for (const p of params.filter((p) => p.in === "query")) {
          const values = p.name === "cursor" ? [...NASTY_STRINGS, ...NASTY_CURSORS] : NASTY_STRINGS;
          for (const v of values) await probe(`${method} ${template} ?${p.name}=${v.slice(0, 20)}`, await send(`${fill()}?${p.name}=${enc(v)}`));
        }
        if (op.requestBody) {
          for (const v of NASTY_STRINGS) {
            for (const key of ["name", "type", "owner_team", "service", "user", "team", "message", "route", "error_code", "trace_id", "level", "timestamp", "method"]) {
              const body = template === "/v1/logs" ? [{ service, [key]: v }] : { name: unique("n"), [key]: v };
              await probe(`${method} ${template} body.${key}=${JSON.stringify(v.slice(0, 20))}`, await send(fill(), body));
            }
            await probe(`${method} ${template} attributes value`, await send(fill(), template === "/v1/logs" ? [{ service, attributes: { [v.slice(0, 50) || "k"]: v } }] : {}));
          }
          for (const n of [1e20, -1e20, 2 ** 63, Number.MAX_SAFE_INTEGER]) {
            await probe(`${method} ${template} numbers ${n}`, await send(fill(), template === "/v1/logs" ? [{ service, timestamp: n, status: n, latency_ms: n }] : { name: unique("n"), tier: n, expires_in_days: n }));
          }
          await probe(`${method} ${template} deep nesting`, await send(fill(), undefined, template === "/v1/logs" ? `[{"service":"${service}","attributes":${deep(6_000)}}]` : deep(6_000)));
          await probe(`${method} ${template} a lone surrogate in raw JSON`, await send(fill(), undefined, template === "/v1/logs" ? `[{"service":"${service}","attributes":{"\\ud800":"\\udc00x"}}]` : `{"name":"\\ud800"}`));
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it("refuses a calendar date that does not exist instead of rolling it over", async () => {
    const res = await h.postJson("/v1/logs", [{ service: unique("svc-date"), timestamp: "2026-02-30T00:00:00Z" }]);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe("timestamp");
  });

  it("stores the literal text C:\\u0000dir, which holds no NUL character", async () => {
    const service = unique("svc-literal");
    expect((await h.postJson("/v1/logs", [{ service, message: "C:\\u0000dir", attributes: { path: "C:\\u0000dir" } }])).status).toBe(200);
  });

  it("names the field of a NUL or a lone surrogate anywhere in attributes", async () => {
    const res = await h.postJson("/v1/logs", [{ service: unique("svc-nul"), attributes: { a: { b: ["ok", "x\u0000"] } } }, { service: unique("svc-sur"), attributes: { ["k\ud800"]: 1 } }]);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { index: number; field: string }[] }).errors.map((e) => `${e.index}:${e.field}`)).toEqual(["0:attributes", "1:attributes"]);
  });
});
