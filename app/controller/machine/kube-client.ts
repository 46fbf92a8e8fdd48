import { Agent, request } from "node:https";
import type { IncomingMessage } from "node:http";

// The controller's whole Kubernetes client: JSON over HTTPS, and watches as streams of
// JSON lines. @kubernetes/client-node costs 85 MiB of RSS just to import (its generated
// models and serializers); the controller needs six verbs on three kinds, and a footprint
// that fits a 128Mi limit.

/** Where the API server is and how to authenticate; kubeconfig.ts makes one. */
export type KubeCredentials = {
  /** https://host:port, without a trailing slash. */
  server: string;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  insecureSkipTlsVerify?: boolean;
  /** The Authorization header, asked for every request: in-cluster tokens are rotated. */
  authorization?: () => string | undefined | Promise<string | undefined>;
};

/** A failed call, with the API server's status code and reason (`NotFound`, `Conflict`, `Expired`). */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  constructor(status: number, reason: string | undefined, message: string) {
    super(message);
    this.name = "KubeApiError";
    this.status = status;
    this.reason = reason;
  }
}

/** The HTTP status of a failed call, if the API server answered. */
export const statusOf = (error: unknown): number | undefined => (error instanceof KubeApiError ? error.status : undefined);

export type WatchEvent<O> = { type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK"; object: O } | { type: "ERROR"; object: { code?: number; reason?: string; message?: string } };

/** A request that gets no answer in this long has failed (client-go's default is 32 s; leader election needs less). */
const REQUEST_TIMEOUT_MS = 10_000;

export class KubeClient {
  private readonly credentials: KubeCredentials;
  private readonly agent: Agent;

  constructor(credentials: KubeCredentials) {
    this.credentials = credentials;
    this.agent = new Agent({
      keepAlive: true,
      ...(credentials.ca ? { ca: credentials.ca } : {}),
      ...(credentials.cert ? { cert: credentials.cert } : {}),
      ...(credentials.key ? { key: credentials.key } : {}),
      rejectUnauthorized: !credentials.insecureSkipTlsVerify,
    });
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>("GET", path);
  }
  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>("POST", path, body);
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>("PUT", path, body);
  }
  /** A JSON merge patch (RFC 7386): the fields given replace the object's. */
  mergePatch<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>("PATCH", path, body, "application/merge-patch+json");
  }

  /**
   * Watches `path` (which carries `watch=1` and a resourceVersion): `onOpen` once the server
   * accepted it, `onEvent` for each event; resolves when the server ends the stream (its
   * timeoutSeconds), rejects when the connection fails. `signal` ends it early, quietly.
   */
  async watch<O>(path: string, options: { onOpen: () => void; onEvent: (event: WatchEvent<O>) => void; signal: AbortSignal; idleTimeoutMs: number }): Promise<void> {
    const { onOpen, onEvent, signal, idleTimeoutMs } = options;
    const response = await this.open("GET", path, undefined, undefined, signal, idleTimeoutMs);
    if (response.statusCode !== 200) throw await errorOf(response);
    onOpen();
    await new Promise<void>((resolve, reject) => {
      let pending = "";
      let ended = false;
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        pending += chunk;
        let newline: number;
        while ((newline = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (!line) continue;
          try {
            onEvent(JSON.parse(line) as WatchEvent<O>);
          } catch (error) {
            response.destroy(error as Error);
            return;
          }
        }
      });
      response.on("end", () => {
        ended = true;
        resolve();
      });
      response.on("error", (error) => (signal.aborted ? resolve() : reject(error)));
      // A connection cut mid-stream may end with only "close".
      response.on("close", () => (ended || signal.aborted ? resolve() : reject(new Error("watch connection closed"))));
    });
  }

  private async call<T>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> {
    const response = await this.open(method, path, body === undefined ? undefined : JSON.stringify(body), contentType, undefined, REQUEST_TIMEOUT_MS);
    const text = await readAll(response);
    if ((response.statusCode ?? 0) >= 300) throw errorFromText(response.statusCode ?? 0, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private async open(method: string, path: string, body: string | undefined, contentType: string | undefined, signal: AbortSignal | undefined, idleTimeoutMs: number): Promise<IncomingMessage> {
    const authorization = await this.credentials.authorization?.();
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.credentials.server}${path}`,
        {
          method,
          agent: this.agent,
          headers: {
            accept: "application/json",
            ...(authorization ? { authorization } : {}),
            ...(body !== undefined ? { "content-type": contentType, "content-length": Buffer.byteLength(body) } : {}),
          },
          ...(signal ? { signal } : {}),
        },
        resolve,
      );
      // No byte for this long (an answer, or a watch event or bookmark) means the connection is gone.
      req.setTimeout(idleTimeoutMs, () => req.destroy(new Error(`no answer from the API server within ${idleTimeoutMs} ms (${method} ${path.split("?")[0]})`)));
      req.on("error", reject);
      req.end(body);
    });
  }
}

function readAll(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => (text += chunk));
    response.on("end", () => resolve(text));
    response.on("error", reject);
  });
}

async function errorOf(response: IncomingMessage): Promise<KubeApiError> {
  return errorFromText(response.statusCode ?? 0, await readAll(response).catch(() => ""));
}

/** The API server answers errors with a Status object; keep its reason and message. */
function errorFromText(status: number, text: string): KubeApiError {
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string };
    return new KubeApiError(status, parsed.reason, `${status} ${parsed.reason ?? ""}: ${parsed.message ?? text}`.trim());
  } catch {
    return new KubeApiError(status, undefined, `${status}: ${text.slice(0, 200)}`);
  }
}
