import { log } from "../../log.ts";
import type { KubeClient } from "./kube-client.ts";
import { apiVersionOf, type KubeObject, type ResourceKind } from "./kube-object.ts";

/**
 * Records core/v1 Events on the objects of one kind, the ones `kubectl describe` shows. An
 * event that cannot be written is logged and dropped: it must never fail a reconcile.
 */
export class EventRecorder {
  private readonly client: KubeClient;
  private readonly kind: ResourceKind;
  private readonly component: string;
  private readonly instance: string;

  constructor(client: KubeClient, kind: ResourceKind, component: string, instance: string) {
    this.client = client;
    this.kind = kind;
    this.component = component;
    this.instance = instance;
  }

  async record(object: KubeObject, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    const { name, namespace, uid, resourceVersion } = object.metadata;
    const now = new Date().toISOString();
    try {
      await this.client.post(`/api/v1/namespaces/${encodeURIComponent(namespace!)}/events`, {
        apiVersion: "v1",
        kind: "Event",
        metadata: { generateName: `${name}.`, namespace },
        involvedObject: { apiVersion: apiVersionOf(this.kind), kind: this.kind.kind, name, namespace, uid, resourceVersion },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component: this.component },
        reportingComponent: this.component,
        reportingInstance: this.instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      });
    } catch (error) {
      log.warn({ err: error, reason }, "could not record a Kubernetes event");
    }
  }
}
