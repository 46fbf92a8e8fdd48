import { z } from "zod";

/**
 * What to keep: `premakeMonths` ahead of the current month, and `retentionMonths` full
 * months behind it (null: keep everything). Expired months are detached (kept as plain
 * tables) or dropped. Months are calendar months in UTC.
 */
export const PartitionPolicySpec = z.strictObject({
  table: z.string().regex(/^[a-z_][a-z0-9_]{0,40}$/, "must be a lower-case SQL identifier").default("log_events"),
  premakeMonths: z.number().int().min(1).max(24).default(3),
  retentionMonths: z.number().int().min(1).max(1200).nullable().default(12),
  retentionMode: z.enum(["detach", "drop"]).default("detach"),
});

export type PartitionPolicy = z.output<typeof PartitionPolicySpec>;
