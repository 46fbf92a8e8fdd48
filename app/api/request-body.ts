import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import { RequestError } from "../domain/request-error.ts";

/**
 * A request's body as an ArrayBuffer of its own, refused as payload-too-large past
 * `maxBytes` (by its Content-Length before any of it is read).
 *
 * Served by @hono/node-server, it is read from Node's request, its chunks joined once into
 * one buffer. Hono's reading (behind its bodyLimit, which turns the request into a web
 * Request) passed the chunks through a web stream, joined them and then copied the result:
 * three times the body in buffers outside the heap, and V8 counts every such byte towards
 * its old generation's limit, so an ingest batch's megabytes brought the event loop's next
 * full GC nearer (#15). The buffer is not made at the declared size before the bytes
 * arrive: a client that declares 5 MiB and sends nothing would hold 5 MiB of the API's
 * memory for each such request. Anywhere else (app.request in tests, another runtime) it
 * is Hono's reading.
 */
export async function readBody(c: Context, maxBytes: number): Promise<ArrayBuffer> {
  const tooLarge = () => new RequestError("payload-too-large", `at most ${maxBytes} bytes`);
  const declared = c.req.header("content-length");
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge();
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || incoming.readableDidRead) {
    const body = await c.req.arrayBuffer();
    if (body.byteLength > maxBytes) throw tooLarge();
    return body;
  }
  return readJoined(incoming, maxBytes, tooLarge);
}

/** The request's chunks, counted as they come (`tooLarge` past `maxBytes`), joined once it has ended. */
function readJoined(incoming: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<ArrayBuffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = (error?: unknown) => {
      incoming.off("data", onData).off("end", onEnd).off("error", done).off("close", onClose);
      if (error) return reject(error);
      // Its own ArrayBuffer (not a slice of Node's pool), which the parse pool can move.
      const into = Buffer.allocUnsafeSlow(total);
      let at = 0;
      for (const chunk of chunks) {
        into.set(chunk, at);
        at += chunk.length;
      }
      resolve(into.buffer as ArrayBuffer);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      // What is left past the limit is Node's to discard once the answer is sent.
      if (total > maxBytes) done(tooLarge());
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onClose = () => done(incoming.readableEnded ? undefined : new Error("the client closed the request before sending its whole body"));
    incoming.on("data", onData).once("end", onEnd).once("error", done).once("close", onClose);
  });
}
