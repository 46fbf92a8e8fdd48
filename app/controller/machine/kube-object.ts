// What the controller machine knows of any custom resource: where it lives in the API, its
// metadata, and status conditions in the standard shape.

export type ResourceKind = { group: string; version: string; plural: string; kind: string };

export const apiVersionOf = (kind: ResourceKind) => `${kind.group}/${kind.version}`;

/** The REST path of a namespace's collection of one kind. */
export const collectionPath = (kind: ResourceKind, namespace: string) => `/apis/${kind.group}/${kind.version}/namespaces/${encodeURIComponent(namespace)}/${kind.plural}`;

export type Condition = {
  type: string;
  status: "True" | "False" | "Unknown";
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
};

export type KubeObject<Status = unknown> = {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; uid?: string; generation?: number; resourceVersion?: string; creationTimestamp?: string; labels?: Record<string, string> };
  spec?: unknown;
  status?: Status;
};

/** The work queue's key of an object: namespace/name, as client-go's MetaNamespaceKeyFunc. */
export const keyOf = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;
