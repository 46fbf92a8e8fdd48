import { createHash, randomBytes } from "node:crypto";
import { request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerError } from "./errors.ts";
import { readBody } from "./request-body.ts";

// readBody over a real @hono/node-server, where it reads Node's request itself, and through
// app.request, where it is Hono's reading. Each answer says what was read and by which way.
const MAX = 64 * 1024;
const app = new Hono();
app.onError(answerError);
app.post("/", async (c) => {
  const body = await readBody(c, MAX);
  return c.json({
    bytes: body.byteLength,
    sha256: createHash("sha256").update(new Uint8Array(body)).digest("hex"),
    // Hono keeps what it read; Node's request read directly leaves its cache empty.
    viaHono: c.req.bodyCache.arrayBuffer !== undefined,
  });
});

let server: Server;
let port = 0;
beforeAll(async () => {
  server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
  await new Promise((r) => server.once("listening", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

type Answer = { status: number; json: { bytes?: number; sha256?: string; viaHono?: boolean; type?: string } };

/** POSTs `chunks` as they are: with a Content-Length of `declared` (default their total), or chunked. */
function post(chunks: Buffer[], framing: { chunked: true } | { declared?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const headers: Record<string, string | number> = { "content-type": "application/octet-stream" };
    if ("chunked" in framing) headers["transfer-encoding"] = "chunked";
    else headers["content-length"] = framing.declared ?? total;
    // A connection each: one whose body was refused unread cannot carry the next request.
    const req = httpRequest({ host: "127.0.0.1", port, method: "POST", path: "/", headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d: string) => (text += d)).on("end", () => resolve({ status: res.statusCode!, json: JSON.parse(text) as Answer["json"] }));
    });
    // A refusal may come, and the connection close, before the rest is sent.
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const sha = (chunks: Buffer[]) => createHash("sha256").update(Buffer.concat(chunks)).digest("hex");

describe("readBody from Node's request", () => {
  it("reads a body of a declared length whole, in as many chunks as it came, and not through Hono", async () => {
    const chunks = Array.from({ length: 7 }, (_, i) => randomBytes(5_000 + i));
    const answer = await post(chunks);
    expect(answer).toEqual({ status: 200, json: { bytes: 35_021, sha256: sha(chunks), viaHono: false } });
  });

  it("reads a chunked body whole", async () => {
    const chunks = [randomBytes(10_000), randomBytes(1), randomBytes(20_000)];
    expect(await post(chunks, { chunked: true })).toEqual({ status: 200, json: { bytes: 30_001, sha256: sha(chunks), viaHono: false } });
  });

  it("reads an empty body", async () => {
    expect(await post([])).toEqual({ status: 200, json: { bytes: 0, sha256: sha([]), viaHono: false } });
  });

  it("refuses a declared length over the limit as 413 without reading it, and one that fits is read", async () => {
    const atLimit = [randomBytes(MAX)];
    expect((await post(atLimit)).json.bytes).toBe(MAX);
    // Only 1,000 of the MAX + 1 bytes declared are sent: answered without waiting for the rest.
    const over = await post([randomBytes(1_000)], { declared: MAX + 1 });
    expect(over).toMatchObject({ status: 413, json: { type: expect.stringContaining("payload-too-large") } });
  });

  it("refuses a chunked body as 413 once it passes the limit", async () => {
    const answer = await post([randomBytes(MAX), randomBytes(10)], { chunked: true });
    expect(answer).toMatchObject({ status: 413, json: { type: expect.stringContaining("payload-too-large") } });
  });
});

describe("readBody anywhere else (app.request)", () => {
  it("reads the body through Hono, and refuses one over the limit", async () => {
    const body = randomBytes(1_234);
    const ok = await app.request("/", { method: "POST", body });
    expect(await ok.json()).toEqual({ bytes: 1_234, sha256: sha([body]), viaHono: true });
    const over = await app.request("/", { method: "POST", body: randomBytes(MAX + 1) });
    expect(over.status).toBe(413);
  });
});
