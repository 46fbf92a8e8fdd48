import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { CHECK_KINDS, CHECK_OUTCOMES, CHECK_SOURCES, GRANT_ACCESS, INCIDENT_STATUSES, KEY_KINDS, PING_KINDS, SERVICE_STATES, SEVERITIES, USER_ROLES } from "../domain/vocabulary.ts";
import type { CheckSpec } from "../domain/check-spec.ts";

// The typed picture of the tables. drizzle-kit generates migrations from this file; what it
// cannot express (monthly partitions of log_events, the DEFAULT partition) lives in the
// hand-written migrations beside the generated ones.

export const severity = pgEnum("severity", SEVERITIES);
export const serviceState = pgEnum("service_state", SERVICE_STATES);
export const userRole = pgEnum("user_role", USER_ROLES);
export const keyKind = pgEnum("api_key_kind", KEY_KINDS);
export const grantAccess = pgEnum("grant_access", GRANT_ACCESS);
export const checkKind = pgEnum("check_kind", CHECK_KINDS);
export const checkSource = pgEnum("check_source", CHECK_SOURCES);
export const pingKind = pgEnum("ping_kind", PING_KINDS);
export const checkOutcome = pgEnum("check_outcome", CHECK_OUTCOMES);
export const incidentStatus = pgEnum("incident_status", INCIDENT_STATUSES);

/** Per-service overrides of the status thresholds; absent keys take the defaults. */
export type ServiceThresholds = {
  error_rate_degraded?: number;
  error_rate_down?: number;
  p95_latency_ms_degraded?: number;
  silence_seconds_down?: number;
  /** 30-day availability objective for burn-rate alerts. */
  slo_target?: number;
};

export const services = pgTable("services", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  type: text("type").notNull().default("service"),
  ownerTeam: text("owner_team"),
  tier: smallint("tier"),
  thresholds: jsonb("thresholds").$type<ServiceThresholds>().notNull().default({}),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const users = pgTable("users", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  role: userRole("role").notNull().default("viewer"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Teams own services (services.owner_team names one) and group users for grants. */
export const teams = pgTable("teams", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const teamMembers = pgTable(
  "team_members",
  {
    teamId: integer("team_id").notNull().references(() => teams.id, { onDelete: "cascade" }),
    userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index("team_members_user_idx").on(t.userId)],
);

/** A team or a user entitled to one service, beyond what their teams own. */
export const grants = pgTable(
  "grants",
  {
    id: serial("id").primaryKey(),
    serviceId: integer("service_id").notNull().references(() => services.id, { onDelete: "cascade" }),
    teamId: integer("team_id").references(() => teams.id, { onDelete: "cascade" }),
    userId: integer("user_id").references(() => users.id, { onDelete: "cascade" }),
    access: grantAccess("access").notNull().default("read"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("grants_one_grantee", sql`num_nonnulls(${t.teamId}, ${t.userId}) = 1`), index("grants_service_idx").on(t.serviceId)],
);

/**
 * API keys: `fsk_<prefix>_<secret>`. Only a SHA-256 of the secret is kept; the prefix
 * identifies the key in lists and logs. A user key acts with its user's role; an ingest key
 * may only write the services named in `services`.
 */
export const apiKeys = pgTable("api_keys", {
  id: serial("id").primaryKey(),
  prefix: text("prefix").notNull().unique(),
  secretHash: text("secret_hash").notNull(),
  name: text("name").notNull(),
  kind: keyKind("kind").notNull(),
  userId: integer("user_id").references(() => users.id, { onDelete: "cascade" }),
  services: text("services").array().notNull().default(sql`'{}'::text[]`),
  /** An ingest key whose native batches are read in lenient mode. */
  lenient: boolean("lenient").notNull().default(false),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp("expires_at", { withTimezone: true }),
  revokedAt: timestamp("revoked_at", { withTimezone: true }),
  lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
});

/** Who read which logs: append-only (a trigger refuses UPDATE, DELETE and TRUNCATE). */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    userId: integer("user_id"),
    keyPrefix: text("key_prefix"),
    role: text("role").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    filters: jsonb("filters").$type<Record<string, unknown>>().notNull().default({}),
    rowCount: integer("row_count").notNull(),
    /** The route template (`/services/{name}`), so entries group by operation whatever the ids in the path. */
    route: text("route"),
    /** The HTTP status answered: the outcome. */
    status: smallint("status"),
  },
  (t) => [index("audit_log_at_idx").on(t.at)],
);

export const logEvents = pgTable(
  "log_events",
  {
    ts: timestamp("ts", { withTimezone: true, precision: 6 }).notNull(),
    id: bigserial("id", { mode: "number" }).notNull(),
    // Names a service, but not with a foreign key: one checked per row was 24 % of ingest's
    // database CPU. A trigger checks each statement's services once, and one on services
    // refuses to delete a service that has events (migrations/0018).
    serviceId: integer("service_id").notNull(),
    level: severity("level").notNull(),
    message: text("message"),
    httpMethod: text("http_method"),
    httpRoute: text("http_route"),
    httpStatus: smallint("http_status"),
    errorCode: text("error_code"),
    latencyMs: doublePrecision("latency_ms"),
    traceId: text("trace_id"),
    spanId: text("span_id"),
    attributes: jsonb("attributes").$type<Record<string, unknown>>(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The partition key must be part of every unique index on a partitioned table.
    primaryKey({ columns: [t.ts, t.id] }),
    // (service, ts, id) serves the commonest query, "this service, newest first", and its
    // keyset cursor without a sort.
    index("log_events_service_ts_idx").on(t.serviceId, t.ts, t.id),
    index("log_events_status_ts_idx").on(t.httpStatus, t.ts).where(sql`${t.httpStatus} IS NOT NULL`),
    index("log_events_error_code_ts_idx").on(t.errorCode, t.ts).where(sql`${t.errorCode} IS NOT NULL`),
    index("log_events_trace_id_idx").on(t.traceId).where(sql`${t.traceId} IS NOT NULL`),
    // Dependency inference's children (status/dependencies-repository.ts): the events that
    // name a parent span, by when they arrived. Without it each run read every event of
    // its window to find the few that do: 0.9 s of CPU for 845,000 events (#15).
    index("log_events_parent_span_idx").on(t.receivedAt).where(sql.raw(NAMES_PARENT_SPAN)),
  ],
);

/**
 * An event that names its parent span, as log_events_parent_span_idx's predicate: a query
 * finds those events through the index only when its WHERE clause implies this, so it is
 * written once, for both.
 */
export const NAMES_PARENT_SPAN = "attributes ? 'parent_span_id' AND trace_id IS NOT NULL";

export const statusEvents = pgTable(
  "status_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    serviceId: integer("service_id")
      .notNull()
      .references(() => services.id),
    fromState: serviceState("from_state").notNull(),
    toState: serviceState("to_state").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    reason: text("reason").notNull(),
  },
  (t) => [index("status_events_service_at_idx").on(t.serviceId, t.at)],
);

/**
 * Database roles that read as one team through SQL (Grafana's PostgreSQL datasource, psql):
 * row-level security shows them that team's services and their events, tied to the role
 * itself rather than to any setting (migrations/0007).
 */
export const sqlReaders = pgTable("sql_readers", {
  roleName: text("role_name").primaryKey(),
  team: text("team")
    .notNull()
    .references(() => teams.name, { onDelete: "cascade" }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Messages from a queue already stored, by source and message id (`nats:<stream>` and the
 * stream sequence): a message redelivered after its batch committed (its ack was lost) is
 * acknowledged again, not stored twice. Written in the batch's own transaction.
 */
export const ingestReceipts = pgTable(
  "ingest_receipts",
  {
    source: text("source").notNull(),
    messageId: text("message_id").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.source, t.messageId] }), index("ingest_receipts_received_at_idx").on(t.receivedAt)],
);


/**
 * One row per stored batch: the id and time ranges of its events, written in the batch's
 * own statement, so it is visible exactly when the events are. Live tail (logs/logql/tail.ts)
 * reads the rows that appeared since its last look, in any API replica, and fetches just
 * those events; it holds no log data, so no row policy applies (migrations/0013). Rows
 * older than a few minutes are dropped.
 */
export const ingestBatches = pgTable(
  "ingest_batches",
  {
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    firstId: bigint("first_id", { mode: "number" }).notNull(),
    lastId: bigint("last_id", { mode: "number" }).notNull(),
    firstTs: timestamp("first_ts", { withTimezone: true, precision: 6 }).notNull(),
    lastTs: timestamp("last_ts", { withTimezone: true, precision: 6 }).notNull(),
  },
  (t) => [index("ingest_batches_at_idx").on(t.at)],
);

/**
 * Per-service roll-ups of log_events, per minute and per hour (`bucket_seconds`), so that
 * /status and uptime read a few rows per service rather than every event of a window.
 * Ingest appends one partial row per (service, bucket) of each batch, in the batch's own
 * statement; concurrent batches never update a shared row. Reads sum every row of a key;
 * the compactor (rollups/compact.ts) merges a key's partial rows into one. Partitioned by
 * month on `ts` (the bucket's start) like log_events, under the same row-level security
 * (migrations/0011). Latencies are a sparse log-scale histogram: bucket i holds
 * (γ^(i-1), γ^i] ms; the functions failsight_latency_bucket/_value declare γ.
 */
export const logRollups = pgTable(
  "log_rollups",
  {
    ts: timestamp("ts", { withTimezone: true }).notNull(),
    bucketSeconds: integer("bucket_seconds").notNull(),
    serviceId: integer("service_id")
      .notNull()
      .references(() => services.id),
    events: integer("events").notNull(),
    errors: integer("errors").notNull(),
    levelTrace: integer("level_trace").notNull().default(0),
    levelDebug: integer("level_debug").notNull().default(0),
    levelInfo: integer("level_info").notNull().default(0),
    levelWarn: integer("level_warn").notNull().default(0),
    levelError: integer("level_error").notNull().default(0),
    levelFatal: integer("level_fatal").notNull().default(0),
    status1xx: integer("status_1xx").notNull().default(0),
    status2xx: integer("status_2xx").notNull().default(0),
    status3xx: integer("status_3xx").notNull().default(0),
    status4xx: integer("status_4xx").notNull().default(0),
    status5xx: integer("status_5xx").notNull().default(0),
    latencyCount: integer("latency_count").notNull().default(0),
    latencySum: doublePrecision("latency_sum").notNull().default(0),
    latencyBuckets: smallint("latency_buckets").array().notNull().default(sql`'{}'::smallint[]`),
    latencyCounts: integer("latency_counts").array().notNull().default(sql`'{}'::int[]`),
    lastTs: timestamp("last_ts", { withTimezone: true, precision: 6 }).notNull(),
    /** False for a partial row from ingest; the compactor merges a key's rows into one true row. */
    compacted: boolean("compacted").notNull().default(false),
  },
  (t) => [
    check("log_rollups_bucket_seconds", sql`${t.bucketSeconds} IN (60, 3600)`),
    // Reads take a range of buckets of one granularity for every service they may see.
    index("log_rollups_bucket_ts_idx").on(t.bucketSeconds, t.ts, t.serviceId),
    index("log_rollups_partial_idx").on(t.bucketSeconds, t.ts, t.serviceId).where(sql`NOT ${t.compacted}`),
  ],
);

/**
 * A service's heartbeat: a job pings `/ping/{token}` at least every `period_seconds`
 * (+ `grace_seconds`), or the service is down. Only a SHA-256 of the token is kept; a new
 * token replaces the old one, and deleting the row revokes it. Holds no log data: who may
 * see or change it is decided by the service's own row policies, which the routes pass
 * through first (checks/heartbeats.ts); the ping itself is authorised by the token.
 */
export const heartbeats = pgTable("heartbeats", {
  serviceId: integer("service_id")
    .primaryKey()
    .references(() => services.id, { onDelete: "cascade" }),
  tokenHash: text("token_hash").notNull().unique(),
  periodSeconds: integer("period_seconds").notNull(),
  graceSeconds: integer("grace_seconds").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  lastPingAt: timestamp("last_ping_at", { withTimezone: true }),
  lastPingKind: pingKind("last_ping_kind"),
  lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
});

/**
 * An uptime check: Failsight probes the target every `interval_seconds` and stores each
 * confirmed result as an event of the service. `next_run_at` is the schedule every runner
 * claims from (FOR UPDATE SKIP LOCKED), so any number of API replicas probe each check
 * once; `source` says which runner: the API's (`api`) or the controller's leader
 * (`kubernetes`, from UptimeCheck objects). The last_* columns are the last confirmed result.
 */
export const checks = pgTable(
  "checks",
  {
    id: serial("id").primaryKey(),
    name: text("name").notNull().unique(),
    serviceId: integer("service_id")
      .notNull()
      .references(() => services.id, { onDelete: "cascade" }),
    kind: checkKind("kind").notNull(),
    spec: jsonb("spec").$type<CheckSpec>().notNull(),
    intervalSeconds: integer("interval_seconds").notNull(),
    timeoutMs: integer("timeout_ms").notNull(),
    source: checkSource("source").notNull().default("api"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    nextRunAt: timestamp("next_run_at", { withTimezone: true }).notNull().defaultNow(),
    lastRunAt: timestamp("last_run_at", { withTimezone: true }),
    lastOutcome: checkOutcome("last_outcome"),
    lastLatencyMs: doublePrecision("last_latency_ms"),
    lastErrorCode: text("last_error_code"),
    lastMessage: text("last_message"),
  },
  (t) => [
    index("checks_due_idx").on(t.source, t.nextRunAt),
    index("checks_service_idx").on(t.serviceId),
  ],
);

/**
 * Which service depends on which: declared by its team (PATCH /services/{name},
 * `depends_on`), or inferred from traces (an event whose `parent_span_id` attribute names a
 * span of another service's event in the same trace: the parent's service calls, so depends
 * on, the child's). An edge can be both. When a dependency is down its dependents are
 * `impacted`, with the root cause named (status/impact.ts).
 */
export const serviceDependencies = pgTable(
  "service_dependencies",
  {
    serviceId: integer("service_id")
      .notNull()
      .references(() => services.id, { onDelete: "cascade" }),
    dependsOnId: integer("depends_on_id")
      .notNull()
      .references(() => services.id, { onDelete: "cascade" }),
    declared: boolean("declared").notNull().default(false),
    /** When traces last showed the edge; null for an edge only declared. */
    inferredAt: timestamp("inferred_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.serviceId, t.dependsOnId] }),
    check("service_dependencies_not_self", sql`${t.serviceId} <> ${t.dependsOnId}`),
    check("service_dependencies_some_source", sql`${t.declared} OR ${t.inferredAt} IS NOT NULL`),
    index("service_dependencies_depends_on_idx").on(t.dependsOnId),
  ],
);

/**
 * A maintenance window over some services: while it is on, they are in `maintenance`
 * (their other states and their alerts are held, and the time counts neither way for
 * uptime); status pages announce it ahead. Seen by whoever sees one of its services,
 * changed by whoever may change all of them (row policies on the link table).
 */
export const maintenanceWindows = pgTable(
  "maintenance_windows",
  {
    id: serial("id").primaryKey(),
    title: text("title").notNull(),
    description: text("description"),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("maintenance_windows_ends_after_start", sql`${t.endsAt} > ${t.startsAt}`), index("maintenance_windows_ends_idx").on(t.endsAt)],
);

export const maintenanceServices = pgTable(
  "maintenance_services",
  {
    windowId: integer("window_id")
      .notNull()
      .references(() => maintenanceWindows.id, { onDelete: "cascade" }),
    serviceId: integer("service_id")
      .notNull()
      .references(() => services.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.windowId, t.serviceId] }), index("maintenance_services_service_idx").on(t.serviceId)],
);

/** An incident people declare and update; status pages show it with its updates. Access as maintenance windows. */
export const incidents = pgTable("incidents", {
  id: serial("id").primaryKey(),
  title: text("title").notNull(),
  status: incidentStatus("status").notNull().default("investigating"),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  resolvedAt: timestamp("resolved_at", { withTimezone: true }),
});

export const incidentServices = pgTable(
  "incident_services",
  {
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    serviceId: integer("service_id")
      .notNull()
      .references(() => services.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.serviceId] }), index("incident_services_service_idx").on(t.serviceId)],
);

export const incidentUpdates = pgTable(
  "incident_updates",
  {
    id: serial("id").primaryKey(),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    status: incidentStatus("status").notNull(),
    message: text("message").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("incident_updates_incident_idx").on(t.incidentId, t.at)],
);

/**
 * A status page: server-rendered HTML at /status-pages/{slug} listing chosen services with
 * their state, 90 days of uptime, incidents and maintenance. Public pages need no key;
 * the others a key that may see every service listed. Admins make them.
 */
export const statusPages = pgTable("status_pages", {
  slug: text("slug").primaryKey(),
  title: text("title").notNull(),
  description: text("description"),
  public: boolean("public").notNull().default(false),
  services: text("services").array().notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
