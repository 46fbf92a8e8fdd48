import { log } from "../../log.ts";
import { EventRecorder } from "./event-recorder.ts";
import { Informer } from "./informer.ts";
import type { KubeClient } from "./kube-client.ts";
import { collectionPath, keyOf, type KubeObject, type ResourceKind } from "./kube-object.ts";
import { WorkQueue } from "./work-queue.ts";

/** What a sync asks for next: to look again after a while (scheduled work), or nothing. */
export type SyncResult = { requeueAfterMs?: number };

/** The I/O a sync handler may do besides its own: Events on the object, its status, and the other objects of its kind this controller sees. */
export type SyncTools<O extends KubeObject> = {
  record: EventRecorder["record"];
  updateStatus: (object: O, status: NonNullable<O["status"]>) => Promise<void>;
  siblings: () => O[];
};

/** One kind's reconcile, given the object as the informer holds it now. Throwing requeues it with backoff. */
export type SyncHandler<O extends KubeObject> = (object: O, tools: SyncTools<O>) => Promise<SyncResult>;

export type ControllerSpec<O extends KubeObject> = {
  kind: ResourceKind;
  component: string;
  syncHandler: SyncHandler<O>;
  /** Work of its own that runs only while this replica leads (the UptimeCheck probes). */
  startedLeading?: () => void;
  stoppedLeading?: () => Promise<void>;
  /** An object was deleted while this replica leads: what it made outside Kubernetes goes too. */
  deleted?: (object: O) => Promise<void>;
  /**
   * The kind's CRD may be missing without the controller being unready: Helm installs a new
   * CRD from crds/ on install only, so after an upgrade it may not exist until applied by
   * hand, and the kinds that do exist must still be served meanwhile.
   */
  optional?: boolean;
};

/**
 * The machine around one kind's reconcile, named as kubernetes/sample-controller names it:
 * an informer feeds keys to a work queue (`enqueue`), the queue runs
 * `processNextWorkItem` per key, which reads the object and calls `syncHandler`; failures
 * come back rate limited, scheduled work with `requeueAfterMs`. It acts only while the
 * manager (manager.ts) says this replica leads.
 */
export class Controller<O extends KubeObject> {
  private readonly spec: ControllerSpec<O>;
  private readonly namespace: string;
  private readonly client: KubeClient;
  private readonly recorder: EventRecorder;
  private readonly queue: WorkQueue;
  private readonly informer: Informer<O>;
  private readonly isLeader: () => boolean;

  /** `labelSelector` narrows the objects this controller owns (one release's, in a shared namespace). */
  constructor(client: KubeClient, namespace: string, labelSelector: string | undefined, identity: string, isLeader: () => boolean, spec: ControllerSpec<O>) {
    this.spec = spec;
    this.namespace = namespace;
    this.client = client;
    this.isLeader = isLeader;
    this.recorder = new EventRecorder(client, spec.kind, spec.component, identity);
    this.queue = new WorkQueue((key) => this.processNextWorkItem(key));
    this.informer = new Informer<O>(client, collectionPath(spec.kind, namespace), labelSelector, {
      // An object that arrives, goes or changes its spec may decide another's fate (two
      // policies for one table): then every object gets a look. A status write does not.
      add: () => this.enqueueAll(),
      update: (o, old) => (o.metadata.generation !== old.metadata.generation ? this.enqueueAll() : this.enqueue(o)),
      delete: (o) => {
        this.queue.cancel(keyOf(o));
        if (this.spec.deleted && this.isLeader()) this.spec.deleted(o).catch((error) => log.warn({ err: error, object: keyOf(o) }, "could not clean up after a deleted object"));
        this.enqueueAll();
      },
    });
  }

  /** Starts the list/watch; resolves once the first list has been read (for an optional kind, or once it is known not to be served). */
  run(): Promise<void> {
    return this.informer.start(this.spec.optional === true);
  }

  /** Connected while the last list or watch request to the API server succeeded. */
  connected(): boolean {
    return this.informer.connected();
  }

  /** Ready to serve: connected, or an optional kind the API server does not serve (its CRD is not installed). */
  ready(): boolean {
    return this.informer.connected() || (this.spec.optional === true && this.informer.notServed());
  }

  /** This replica now leads: every object gets a look. */
  startedLeading(): void {
    this.spec.startedLeading?.();
    this.enqueueAll();
  }

  private enqueueAll(): void {
    for (const o of this.informer.list()) this.enqueue(o);
  }

  /** Another replica leads now: nothing scheduled here may run. */
  stoppedLeading(): void {
    this.queue.cancelAll();
    this.spec.stoppedLeading?.().catch((error) => log.warn({ err: error }, "could not stop the leader's own work"));
  }

  async stop(): Promise<void> {
    await this.informer.stop();
    await this.queue.shutDown();
    await this.spec.stoppedLeading?.();
  }

  private enqueue(object: O): void {
    this.queue.add(keyOf(object));
  }

  private async processNextWorkItem(key: string): Promise<void> {
    if (!this.isLeader()) return;
    const name = key.split("/")[1]!;
    const object = this.informer.get(name);
    if (!object) return this.queue.cancel(key);
    try {
      const { requeueAfterMs } = await this.spec.syncHandler(object, {
        record: (...args) => this.recorder.record(...args),
        updateStatus: (o, status) => this.updateStatus(o, status),
        siblings: () => this.informer.list(),
      });
      this.queue.forget(key);
      if (requeueAfterMs !== undefined) this.queue.addAfter(key, requeueAfterMs);
    } catch (error) {
      log.error({ err: error, kind: this.spec.kind.kind, object: key }, "sync failed; retrying with backoff");
      this.queue.addRateLimited(key);
    }
  }

  /** Writes the status subresource; a write that fails is logged, and the next sync writes again. */
  private async updateStatus(object: O, status: NonNullable<O["status"]>): Promise<void> {
    try {
      await this.client.mergePatch(`${collectionPath(this.spec.kind, object.metadata.namespace ?? this.namespace)}/${object.metadata.name}/status`, { status });
    } catch (error) {
      log.warn({ err: error, object: keyOf(object) }, "could not write status");
    }
  }
}
