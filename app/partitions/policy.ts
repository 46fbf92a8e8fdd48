import { z } from "zod";

/**
 * What to keep: `premakeMonths` ahead of the current month, and `retentionMonths` full
 * months behind it (null: keep everything). Expired months are detached (kept as plain
 * tables) or dropped. Months are calendar months in UTC.
 */
export const RETENTION_MODES = ["detach", "drop"] as const;

/**
 * The defaults of a policy, wherever one is made: `npm start`'s in-process maintenance
 * (config.ts), a PartitionPolicy object (the controller), and the chart's values and CRD,
 * which charts/tests/render.test.ts holds to these.
 */
export const PARTITION_DEFAULTS = { table: "log_events", premakeMonths: 3, retentionMonths: 12, retentionMode: "detach", interval: "1h" } as const;

export const PartitionPolicySpec = z.strictObject({
  table: z.string().regex(/^[a-z_][a-z0-9_]{0,40}$/, "must be a lower-case SQL identifier").default(PARTITION_DEFAULTS.table),
  premakeMonths: z.number().int().min(1).max(24).default(PARTITION_DEFAULTS.premakeMonths),
  retentionMonths: z.number().int().min(1).max(1200).nullable().default(PARTITION_DEFAULTS.retentionMonths),
  retentionMode: z.enum(RETENTION_MODES).default(PARTITION_DEFAULTS.retentionMode),
});

export type PartitionPolicy = z.output<typeof PartitionPolicySpec>;
