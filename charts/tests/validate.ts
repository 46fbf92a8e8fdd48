import { Cluster } from "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/Cluster";
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Pod } from "kubernetes-models/v1/Pod";
import { Service } from "kubernetes-models/v1/Service";
import { Secret } from "kubernetes-models/v1/Secret";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { K8sObject } from "./helm.ts";

// Schema validation of rendered objects with the kubernetes-models classes. They catch wrong
// types and missing required fields, not unknown fields, so the chart tests also compare
// each object with what it must contain. PartitionPolicy is validated by the real API
// server (the CRD's schema) in the envtest tests.
type Model = { new (data: never): { validate(): void } };
const MODELS: Record<string, Model> = Object.fromEntries(
  ([Deployment, Pod, Service, ServiceAccount, ConfigMap, Secret, Role, ClusterRole, RoleBinding, PodDisruptionBudget, ServiceMonitor, PodMonitor, PrometheusRule, Cluster] as unknown as (Model & { apiVersion: string; kind: string })[]).map((m) => [
    `${m.apiVersion}/${m.kind}`,
    m,
  ]),
);

export const VALIDATED_ELSEWHERE = new Set(["failsight.io/v1alpha1/PartitionPolicy"]);

/** Throws naming the object and the first schema error; returns the key of the model used. */
export function validateObject(object: K8sObject): string {
  const key = `${object.apiVersion}/${object.kind}`;
  if (VALIDATED_ELSEWHERE.has(key)) return key;
  const Model = MODELS[key];
  if (!Model) throw new Error(`no schema known for ${key} (${object.metadata.name})`);
  try {
    new Model(object as never).validate();
  } catch (error) {
    throw new Error(`${key} ${object.metadata.name}: ${(error as Error).message}`);
  }
  return key;
}
