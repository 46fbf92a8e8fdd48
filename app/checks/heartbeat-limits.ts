/** Bounds of a heartbeat's schedule (HeartbeatSet): a second to a year, grace up to a week. */
export const HEARTBEAT_LIMITS = {
  minPeriodSeconds: 1,
  maxPeriodSeconds: 31_536_000,
  maxGraceSeconds: 604_800,
  defaultGraceSeconds: 60,
} as const;

/** The most of a ping's body kept with its event (a job's last lines of output). */
export const PING_BODY_MAX_BYTES = 10_000;
