import { log } from "../../log.ts";
import { KubeApiError, type KubeClient, type WatchEvent } from "./kube-client.ts";
import type { KubeObject } from "./kube-object.ts";

export type InformerHandlers<O> = { add: (o: O) => void; update: (o: O, old: O) => void; delete: (o: O) => void };

/** Back-off between failed list/watch attempts: doubling from the first to the last. */
const RETRY_MS = { first: 500, last: 8_000 } as const;
/** The server ends each watch after this long (with jitter), and we watch again from where it left off. */
const WATCH_SECONDS = 300;

/**
 * client-go's reflector and store, in the small: list the collection, then watch it from
 * the list's resourceVersion, keeping a local copy that the handlers hear about. A watch
 * the server ends is resumed; one that expired (410 Gone) or failed is followed by a fresh
 * list, after a back-off while the API server does not answer.
 */
export class Informer<O extends KubeObject> {
  private readonly client: KubeClient;
  private readonly path: string;
  private readonly labelSelector: string | undefined;
  private readonly handlers: InformerHandlers<O>;
  private readonly store = new Map<string, O>();
  private readonly abort = new AbortController();
  private resourceVersion = "";
  private loop: Promise<void> | undefined;
  private listed!: () => void;
  private connectedNow = false;
  private notServedNow = false;

  /** `path` is the collection, like /apis/failsight.io/v1alpha1/namespaces/ns/partitionpolicies. */
  constructor(client: KubeClient, path: string, labelSelector: string | undefined, handlers: InformerHandlers<O>) {
    this.client = client;
    this.path = path;
    this.labelSelector = labelSelector || undefined;
    this.handlers = handlers;
  }

  /**
   * Starts; resolves once the first list has been read (retrying until it is), or, with
   * `orNotServed`, once the API server has said it does not serve the kind (it keeps trying).
   */
  start(orNotServed = false): Promise<void> {
    const firstList = new Promise<void>((resolve) => (this.listed = resolve));
    this.notServedSeen = orNotServed ? this.listed : () => {};
    this.loop = this.run();
    return firstList;
  }

  private notServedSeen: () => void = () => {};

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  /** True while the last list or watch request succeeded. */
  connected(): boolean {
    return this.connectedNow;
  }

  /** The API server answered the last list with 404: it does not serve this kind (no CRD). */
  notServed(): boolean {
    return this.notServedNow;
  }

  list(): O[] {
    return [...this.store.values()];
  }

  get(name: string): O | undefined {
    return this.store.get(name);
  }

  private async run(): Promise<void> {
    let delay: number = RETRY_MS.first;
    let needList = true;
    while (!this.abort.signal.aborted) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
          this.listed();
        }
        await this.watchOnce();
        delay = RETRY_MS.first;
      } catch (error) {
        if (this.abort.signal.aborted) break;
        this.connectedNow = false;
        this.notServedNow = error instanceof KubeApiError && error.status === 404;
        if (this.notServedNow) this.notServedSeen();
        needList = true;
        if (error instanceof KubeApiError && error.status === 410) continue; // expired: list again at once
        // A 404 on the collection: the kind is not served, so its CRD is not installed (yet).
        if (error instanceof KubeApiError && error.status === 404) log.error({ path: this.path, retryInMs: delay }, "list/watch: the API server does not serve this kind; is its CRD installed? (kubectl apply -f charts/failsight/crds/)");
        else log.warn({ err: error, path: this.path, retryInMs: delay }, "list/watch failed");
        await sleep(delay, this.abort.signal);
        delay = Math.min(delay * 2, RETRY_MS.last);
      }
    }
  }

  private query(extra: Record<string, string>): string {
    const params = new URLSearchParams({ ...(this.labelSelector ? { labelSelector: this.labelSelector } : {}), ...extra });
    return `${this.path}?${params}`;
  }

  private async relist(): Promise<void> {
    const list = await this.client.get<{ metadata: { resourceVersion: string }; items: O[] }>(this.query({}));
    this.connectedNow = true;
    this.notServedNow = false;
    this.resourceVersion = list.metadata.resourceVersion;
    const seen = new Set<string>();
    for (const item of list.items) {
      const name = item.metadata.name!;
      seen.add(name);
      const old = this.store.get(name);
      this.store.set(name, item);
      if (!old) this.handlers.add(item);
      else if (old.metadata.resourceVersion !== item.metadata.resourceVersion) this.handlers.update(item, old);
    }
    for (const [name, old] of this.store) {
      if (seen.has(name)) continue;
      this.store.delete(name);
      this.handlers.delete(old);
    }
  }

  private async watchOnce(): Promise<void> {
    const path = this.query({ watch: "1", resourceVersion: this.resourceVersion, allowWatchBookmarks: "true", timeoutSeconds: String(WATCH_SECONDS) });
    let expired: KubeApiError | undefined;
    const started = Date.now();
    await this.client.watch<O>(path, {
      onOpen: () => (this.connectedNow = true),
      onEvent: (event) => {
        if (event.type === "ERROR") {
          expired = new KubeApiError(event.object.code ?? 500, event.object.reason, event.object.message ?? "watch error");
          return;
        }
        this.resourceVersion = event.object.metadata.resourceVersion ?? this.resourceVersion;
        if (event.type === "BOOKMARK") return;
        const name = event.object.metadata.name!;
        if (event.type === "DELETED") {
          this.store.delete(name);
          this.handlers.delete(event.object);
        } else {
          const old = this.store.get(name);
          this.store.set(name, event.object);
          if (old) this.handlers.update(event.object, old);
          else this.handlers.add(event.object);
        }
      },
      signal: this.abort.signal,
      idleTimeoutMs: (WATCH_SECONDS + 60) * 1000,
    });
    if (expired) throw expired;
    // A server that ends every watch at once must not be asked again in a tight loop.
    if (Date.now() - started < 1000) await sleep(1000, this.abort.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
