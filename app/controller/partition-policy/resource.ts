import { z } from "zod";
import { parseDuration } from "../../domain/time-expression.ts";
import { PARTITION_DEFAULTS, PartitionPolicySpec, type PartitionPolicy } from "../../partitions/policy.ts";
import type { Condition, KubeObject, ResourceKind } from "../machine/kube-object.ts";

// The PartitionPolicy custom resource as the controller sees it. The CRD's schema in
// charts/failsight/crds/ is the API server's copy of these rules; this is ours.

export const POLICY_KIND: ResourceKind = { group: "failsight.io", version: "v1alpha1", plural: "partitionpolicies", kind: "PartitionPolicy" };
export const { group: GROUP, version: VERSION, plural: PLURAL } = POLICY_KIND;

// null removes a field: status is written as a JSON merge patch.
export type PolicyStatus = {
  observedGeneration?: number;
  conditions?: Condition[];
  partitions?: { name: string; from?: string; to?: string; default: boolean; managed: boolean }[] | null;
  monthsAhead?: number | null;
  defaultRows?: number | null;
  notes?: string[];
  lastRunTime?: string;
  lastSuccessTime?: string;
  nextRunTime?: string;
};

export type PolicyObject = KubeObject<PolicyStatus>;

const ControllerSpec = PartitionPolicySpec.extend({
  interval: z
    .string()
    .default(PARTITION_DEFAULTS.interval)
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined || ms < 10_000) {
        ctx.addIssue({ code: "custom", message: "must be a duration of at least 10s, like 30m or 1h" });
        return z.NEVER;
      }
      return ms;
    }),
});

export type ParsedSpec = { policy: PartitionPolicy; intervalMs: number };

export function parseSpec(spec: unknown): { ok: true; value: ParsedSpec } | { ok: false; message: string } {
  const result = ControllerSpec.safeParse(spec ?? {});
  if (!result.success) return { ok: false, message: result.error.issues.map((i) => `spec.${i.path.join(".")}: ${i.message}`).join("; ") };
  const { interval, ...policy } = result.data;
  return { ok: true, value: { policy, intervalMs: interval } };
}
