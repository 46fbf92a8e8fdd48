// The closed sets of words Failsight stores. The database enums (db/schema.ts), the API's
// zod enums and the CLI all take them from here.

/** Least to most severe: the database enum keeps this order, so `level >= 'warn'` works in SQL. */
export const SEVERITIES = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * `impacted`: a service it depends on is down (the root cause is named); `maintenance`: in a
 * maintenance window, which suppresses the others and counts neither way for uptime. New
 * states go at the end: the database enum only appends.
 */
export const SERVICE_STATES = ["up", "degraded", "down", "unknown", "impacted", "maintenance"] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

/** What a user key may do grows with its role; ingest keys are a kind of key, not a role. */
export const USER_ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof USER_ROLES)[number];

export const KEY_KINDS = ["user", "ingest"] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

export const GRANT_ACCESS = ["read", "write"] as const;
export type GrantAccess = (typeof GRANT_ACCESS)[number];

/** What an uptime check probes (checks/probes/). */
export const CHECK_KINDS = ["http", "tcp", "dns"] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/** Where a check is declared: through the API, or as an UptimeCheck object in Kubernetes (run by the controller). */
export const CHECK_SOURCES = ["api", "kubernetes"] as const;
export type CheckSource = (typeof CHECK_SOURCES)[number];

/** A heartbeat ping: the job finished, failed, or started (`/ping/{token}`, `/fail`, `/start`). */
export const PING_KINDS = ["success", "fail", "start"] as const;
export type PingKind = (typeof PING_KINDS)[number];

/** A confirmed check result: the target answered as expected, answered with a warning (a certificate near expiry), or failed. */
export const CHECK_OUTCOMES = ["pass", "warn", "fail"] as const;
export type CheckOutcome = (typeof CHECK_OUTCOMES)[number];

/** Where an incident stands, as status pages say it (Atlassian Statuspage's words). */
export const INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
