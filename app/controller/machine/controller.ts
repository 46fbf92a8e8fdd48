import { CustomObjectsApi, PatchStrategy, makeInformer, setHeaderOptions, type KubeConfig, type KubernetesListObject } from "@kubernetes/client-node";
import { log } from "../../log.ts";
import { EventRecorder } from "./event-recorder.ts";
import { keyOf, type KubeObject, type ResourceKind } from "./kube-object.ts";
import { WorkQueue } from "./work-queue.ts";

/** What a sync asks for next: to look again after a while (scheduled work), or nothing. */
export type SyncResult = { requeueAfterMs?: number };

/** The I/O a sync handler may do besides its own: Events on the object, and its status. */
export type SyncTools<O extends KubeObject> = {
  record: EventRecorder["record"];
  updateStatus: (object: O, status: NonNullable<O["status"]>) => Promise<void>;
};

/** One kind's reconcile, given the object as the informer holds it now. Throwing requeues it with backoff. */
export type SyncHandler<O extends KubeObject> = (object: O, tools: SyncTools<O>) => Promise<SyncResult>;

export type ControllerSpec<O extends KubeObject> = { kind: ResourceKind; component: string; syncHandler: SyncHandler<O> };

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
  private readonly api: CustomObjectsApi;
  private readonly recorder: EventRecorder;
  private readonly queue: WorkQueue;
  private readonly informer;
  private readonly isLeader: () => boolean;
  private connected = false;
  private stopped = false;

  constructor(kc: KubeConfig, namespace: string, identity: string, isLeader: () => boolean, spec: ControllerSpec<O>) {
    this.spec = spec;
    this.namespace = namespace;
    this.isLeader = isLeader;
    this.api = kc.makeApiClient(CustomObjectsApi);
    this.recorder = new EventRecorder(kc, spec.kind, spec.component, identity);
    this.queue = new WorkQueue((key) => this.processNextWorkItem(key));
    const { group, version, plural } = spec.kind;
    this.informer = makeInformer<O & { metadata: object }>(kc, `/apis/${group}/${version}/namespaces/${namespace}/${plural}`, () =>
      this.api.listNamespacedCustomObject({ group, version, namespace, plural }) as Promise<KubernetesListObject<O & { metadata: object }>>,
    );
  }

  /** Starts the watch; resolves once the first list has been read. */
  async run(): Promise<void> {
    this.informer.on("add", (o) => this.enqueue(o));
    this.informer.on("update", (o) => this.enqueue(o));
    this.informer.on("delete", (o) => this.queue.cancel(keyOf(o)));
    this.informer.on("connect", () => {
      this.connected = true;
    });
    // The informer stops on an error (a dropped watch, a 410 Gone); start it again after a pause.
    this.informer.on("error", (error) => {
      this.connected = false;
      if (this.stopped) return;
      log.warn({ err: error, kind: this.spec.kind.kind }, "watch failed; restarting in 2s");
      setTimeout(() => void this.informer.start().catch((e) => log.error({ err: e }, "could not restart the watch")), 2000).unref();
    });
    await this.informer.start();
    this.connected = true;
  }

  /** Healthy while the watch is connected. */
  healthy(): boolean {
    return this.connected;
  }

  /** This replica now leads: every object gets a look. */
  startedLeading(): void {
    for (const o of this.informer.list()) this.enqueue(o);
  }

  /** Another replica leads now: nothing scheduled here may run. */
  stoppedLeading(): void {
    this.queue.cancelAll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer.stop();
    await this.queue.shutDown();
  }

  private enqueue(object: O): void {
    this.queue.add(keyOf(object));
  }

  private async processNextWorkItem(key: string): Promise<void> {
    if (!this.isLeader()) return;
    const [namespace, name] = key.split("/") as [string, string];
    const object = this.informer.get(name, namespace);
    if (!object) return this.queue.cancel(key);
    try {
      const { requeueAfterMs } = await this.spec.syncHandler(object, { record: (...args) => this.recorder.record(...args), updateStatus: (o, status) => this.updateStatus(o, status) });
      this.queue.forget(key);
      if (requeueAfterMs !== undefined) this.queue.addAfter(key, requeueAfterMs);
    } catch (error) {
      log.error({ err: error, kind: this.spec.kind.kind, object: key }, "sync failed; retrying with backoff");
      this.queue.addRateLimited(key);
    }
  }

  /** Writes the status subresource; a write that fails is logged, and the next sync writes again. */
  private async updateStatus(object: O, status: NonNullable<O["status"]>): Promise<void> {
    const { group, version, plural } = this.spec.kind;
    try {
      await this.api.patchNamespacedCustomObjectStatus(
        { group, version, namespace: object.metadata.namespace ?? this.namespace, plural, name: object.metadata.name!, body: { status } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    } catch (error) {
      log.warn({ err: error, object: keyOf(object) }, "could not write status");
    }
  }
}
