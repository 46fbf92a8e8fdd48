import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import { RequestError } from "../domain/request-error.ts";

/**
 * A request's body as an ArrayBuffer of its own, refused as payload-too-large past
 * `maxBytes` (by its Content-Length before any of it is read).
 *
 * Served by @hono/node-server, it is read from Node's request straight into one buffer,
 * made once at the size the client declared. Hono's reading (behind its bodyLimit, which
 * turns the request into a web Request) passed the chunks through a web stream, joined
 * them and then copied the result: three times the body in buffers outside the heap, and
 * V8 counts every such byte towards its old generation's limit, so an ingest batch's
 * megabytes brought the event loop's next full GC nearer (#15). Anywhere else (app.request
 * in tests, another runtime) it is Hono's reading.
 */
export async function readBody(c: Context, maxBytes: number): Promise<ArrayBuffer> {
  const tooLarge = () => new RequestError("payload-too-large", `at most ${maxBytes} bytes`);
  const declared = c.req.header("content-length");
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge();
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || incoming.readableDidRead || typeof incoming.on !== "function") {
    const body = await c.req.arrayBuffer();
    if (body.byteLength > maxBytes) throw tooLarge();
    return body;
  }
  const size = c.req.header("transfer-encoding") ? undefined : Number(declared);
  return size !== undefined && Number.isSafeInteger(size) && size >= 0 ? readSized(incoming, size) : readChunked(incoming, maxBytes, tooLarge);
}

/** A body of a known length, into one buffer of that length (Node's parser sends no more). */
function readSized(incoming: IncomingMessage, size: number): Promise<ArrayBuffer> {
  const into = Buffer.allocUnsafeSlow(size);
  let at = 0;
  return read(incoming, (chunk) => {
    into.set(chunk, at);
    at += chunk.length;
  }).then(() => {
    // Node ends a request that was cut short with an error, never early; this is a guard.
    if (at !== size) throw new RequestError("validation-error", `the body ended after ${at} of the ${size} bytes its Content-Length declares`);
    return into.buffer as ArrayBuffer;
  });
}

/** A body of no declared length, its chunks joined once it has ended. */
function readChunked(incoming: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<ArrayBuffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  return read(incoming, (chunk) => {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }).then(() => {
    const into = Buffer.allocUnsafeSlow(total);
    let at = 0;
    for (const chunk of chunks) {
      into.set(chunk, at);
      at += chunk.length;
    }
    return into.buffer as ArrayBuffer;
  });
}

/** Every chunk of the request to `take` (which may throw to stop reading), then its end. */
function read(incoming: IncomingMessage, take: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: unknown) => {
      incoming.off("data", onData).off("end", onEnd).off("error", done).off("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      try {
        take(chunk);
      } catch (error) {
        // What is left is Node's to discard once the answer is sent.
        done(error);
      }
    };
    const onEnd = () => done();
    const onClose = () => done(incoming.readableEnded ? undefined : new Error("the client closed the request before sending its whole body"));
    incoming.on("data", onData).once("end", onEnd).once("error", done).once("close", onClose);
  });
}
