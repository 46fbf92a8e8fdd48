import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { log } from "../log.ts";
import { API_VERSION, KIND, type PolicyObject } from "./resource.ts";

export const COMPONENT = "failsight-partition-controller";

/**
 * Records core/v1 Events on a PartitionPolicy, the ones `kubectl describe` shows. An event
 * that cannot be written is logged and dropped: it must never fail a reconcile.
 */
export class EventRecorder {
  private readonly api: CoreV1Api;
  private readonly instance: string;

  constructor(kc: KubeConfig, instance: string) {
    this.api = kc.makeApiClient(CoreV1Api);
    this.instance = instance;
  }

  async record(object: PolicyObject, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    const { name, namespace, uid, resourceVersion } = object.metadata;
    const now = new Date();
    try {
      await this.api.createNamespacedEvent({
        namespace: namespace!,
        body: {
          metadata: { generateName: `${name}.`, namespace },
          involvedObject: { apiVersion: API_VERSION, kind: KIND, name, namespace, uid, resourceVersion },
          type,
          reason,
          message: message.slice(0, 1024),
          source: { component: COMPONENT },
          reportingComponent: COMPONENT,
          reportingInstance: this.instance,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } catch (error) {
      log.warn({ err: error, reason }, "could not record a Kubernetes event");
    }
  }
}

/** The event reason for each partition action, in the CamelCase Kubernetes uses. */
export const ACTION_REASONS = {
  create: "PartitionCreated",
  repair: "StrandedRowsReturned",
  detach: "PartitionDetached",
  drop: "PartitionDropped",
} as const;
