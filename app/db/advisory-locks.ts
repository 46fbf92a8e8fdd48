/**
 * Every advisory lock id Failsight takes, in one place so no two jobs share one by accident.
 * Session-wide locks outlive a transaction (migrations, maintenance); the others are
 * transaction-scoped.
 */
export const ADVISORY_LOCKS = {
  /** Session: one migrator at a time, across replicas starting together. */
  migrations: 7_240_001,
  /** Transaction: one status tracker records each transition. */
  statusTransitions: 7_240_002,
  /** Session, with the table's hashtext as second key: one maintainer per partitioned table. */
  partitionMaintenance: 7_240_003,
  /** Transaction: replicas starting together make one first admin key. */
  bootstrapAdmin: 7_240_004,
  /** Transaction: replicas starting together install Grafana's datasource key once. */
  bootstrapGrafana: 7_240_006,
  /** Transaction: one roll-up compactor at a time (skipped, not waited for, when taken). */
  rollupCompaction: 7_240_005,
  /** Transaction: one replica infers dependencies from traces at a time (skipped when taken). */
  dependencyInference: 7_240_007,
} as const;
