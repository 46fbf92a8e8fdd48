import http from "node:http";

/**
 * The bench's HTTP client: node:http on keep-alive connections, which costs the bench's
 * own event loop less than fetch (undici): 0.2-0.5 ms less per /logs request, one at a
 * time (#15, 100k events, PG15). What the bench's event loop spends lands in the latencies
 * it measures, most of all with 24 clients in one process. Each request is answered with
 * its status and body as text.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** Requests sent again because the server had closed the idle connection they went out on. */
export let resent = 0;

export function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? "GET", agent, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      // The server closes a keep-alive connection idle for its keepAliveTimeout; a request
      // that went out on it as it closed is reset before the server read it, so it is sent
      // again on a new one (Node's documented remedy, request.reusedSocket). Without this,
      // a mixed-load run stopped with ECONNRESET in 3 of 7 rounds, with the API still up (#15).
      if (req.reusedSocket && error.code === "ECONNRESET") {
        resent++;
        request(url, options).then(resolve, reject);
      } else reject(error);
    });
    req.end(options.body);
  });
}
