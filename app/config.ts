import { availableParallelism } from "node:os";
import { z } from "zod";
import { KEY_PATTERN } from "./access/key-format.ts";
import { DEFAULT_SERVICE_LABELS } from "./ingest/formats/service-labels.ts";
import { LOG_FORMATS } from "./log.ts";
import { DB_POOL_DEFAULT_MAX, DB_TIMEOUT_DEFAULTS, REQUEST_TIMEOUT_DEFAULT_MS } from "./db/client.ts";
import { DEFAULT_MAX_ERROR_SERIES, DEFAULT_MAX_SERVICES } from "./metrics/service-labels.ts";
import { PARTITION_DEFAULTS, RETENTION_MODES } from "./partitions/policy.ts";
import { DEFAULT_INFLIGHT_MIB } from "./ingest/byte-budget.ts";
import { DEFAULT_INGEST_CONCURRENCY } from "./ingest/work-slots.ts";

// Defaults that only configuration uses are declared here, not in the modules they tune:
// every entry point loads this file, and the controller must not load the API's modules
// (drizzle among them) to learn a default; its memory budget is 100 MiB (issue 18).

/** How often partial roll-up rows are merged at the latest (ROLLUP_COMPACTION_SECONDS). */
const DEFAULT_COMPACTION_SECONDS = 30;
/** How often dependencies are inferred from traces (DEPENDENCY_INFERENCE_SECONDS). */
const DEFAULT_INFERENCE_SECONDS = 60;
/** Uptime checks probed at once per API process (CHECKS_CONCURRENCY). */
const DEFAULT_CHECKS_CONCURRENCY = 32;
/** How often the status tracker evaluates (STATUS_EVALUATION_SECONDS). */
const DEFAULT_EVALUATION_SECONDS = 30;
/**
 * Idle keep-alive connections stay open this long (HTTP_KEEP_ALIVE_SECONDS). Node closes them
 * after 5 s, shorter than the proxies and clients in front of an API keep theirs (60 s in
 * ingress-nginx and cloud load balancers, 90 s in Go's HTTP client): a request sent on a
 * connection as the API closed it was reset, and a load balancer answers that with a 502.
 * The bench met exactly that (#15). Longer than those, so the peer is always the one to close.
 */
const HTTP_KEEP_ALIVE_DEFAULT_SECONDS = 95;
/** Parse workers: one per core beyond the event loop's own, at least one, at most four (INGEST_PARSE_WORKERS). */
const DEFAULT_PARSE_WORKERS = Math.max(1, Math.min(4, availableParallelism() - 1));

// Every setting Failsight reads from the environment, in one place. A bad value stops
// start-up with a message naming the variable, rather than failing later at first use.
const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();

const ConfigSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /**
   * api: the owner's connection (the role that migrated), for Failsight's own jobs in the
   * API process (the status tracker), while DATABASE_URL connects as the runtime role,
   * which owns nothing. Unset: everything on DATABASE_URL, with a warning when that role
   * owns the tables (README, "Security model").
   */
  OWNER_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /**
   * migrate: database roles to register as SQL readers after migrating, `role:team` comma
   * separated (the chart sets it for Grafana's datasource role); missing teams are made.
   */
  SQL_READERS: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}:[\x21-\x2b\x2d-\x7e]{1,128}(,[a-z_][a-z0-9_]{0,62}:[\x21-\x2b\x2d-\x7e]{1,128})*$/, "must be role:team[,role:team...]")
    .transform((v) => v.split(",").map((pair) => ({ role: pair.split(":")[0]!, team: pair.slice(pair.indexOf(":") + 1) })))
    .optional(),
  PORT: port.default(3000),
  /** Grafana's address, for the landing page's link (the chart sets it when it knows). */
  GRAFANA_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Unset: 0.0.0.0, or 127.0.0.1 with FAILSIGHT_AUTH=off, so an open API is never on the network by accident. */
  HOST: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** auto: coloured one-line logs on a terminal, JSON lines otherwise; json or pretty force one. */
  LOG_FORMAT: z.enum(LOG_FORMATS).default("auto"),
  /** `off` only for a laptop demo: every request then acts as an admin, unchecked. */
  FAILSIGHT_AUTH: z.enum(["on", "off"]).default("on"),
  /** The first admin's API key (fsk_...), e.g. from a Kubernetes secret; generated and logged once when unset. */
  FAILSIGHT_ADMIN_KEY: z.string().regex(KEY_PATTERN, "must be a key like fsk_<8 characters>_<43 characters> (npm run failsight -- keys generate)").optional(),
  /** The key Grafana's Loki datasource sends (the chart makes one); installed once for a user `grafana`. */
  FAILSIGHT_GRAFANA_KEY: z.string().regex(KEY_PATTERN, "must be a key like fsk_<8 characters>_<43 characters> (npm run failsight -- keys generate)").optional(),
  /** Teams whose services Grafana's key may read (comma-separated); empty: every service (an admin key). */
  FAILSIGHT_GRAFANA_TEAMS: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((t) => t.trim()).filter(Boolean)),
  DB_POOL_MAX: positiveInt.max(100).default(DB_POOL_DEFAULT_MAX),
  /** The bearer token Prometheus scrapes /metrics with (admins' API keys work too); unset: admins only. */
  METRICS_TOKEN: z.string().min(32, "must be at least 32 characters (openssl rand -hex 32)").optional(),
  /** Bounds on waiting for PostgreSQL (app/db/client.ts): connecting, one statement, an idle transaction. */
  DB_CONNECT_TIMEOUT_SECONDS: positiveInt.max(300).default(DB_TIMEOUT_DEFAULTS.connectSeconds),
  DB_STATEMENT_TIMEOUT_SECONDS: positiveInt.max(3600).default(DB_TIMEOUT_DEFAULTS.statementMs / 1000),
  DB_IDLE_IN_TRANSACTION_SECONDS: positiveInt.max(3600).default(DB_TIMEOUT_DEFAULTS.idleInTransactionMs / 1000),
  /** A request the database has not answered by then gets 503 with Retry-After. */
  REQUEST_TIMEOUT_SECONDS: positiveInt.max(3600).default(REQUEST_TIMEOUT_DEFAULT_MS / 1000),
  /** MiB of ingest bodies (after decompression) being parsed and written at once; past it, 429. */
  INGEST_INFLIGHT_MIB: positiveInt.max(4096).default(DEFAULT_INFLIGHT_MIB),
  /** Lenient mode for every native batch: common field names mapped, unknown fields kept in attributes. */
  INGEST_LENIENT: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  /** Loki stream labels that name the service, in the order they are tried. */
  LOKI_SERVICE_LABELS: z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*(,[a-zA-Z_][a-zA-Z0-9_]*)*$/, "must be label names, comma separated")
    .default(DEFAULT_SERVICE_LABELS.join(","))
    .transform((v) => v.split(",")),
  /** A NATS server to consume log messages from (JetStream); unset: no consumer. */
  NATS_URL: z.string().regex(/^(nats|tls|wss?):\/\/\S+$/, "must be a NATS URL like nats://127.0.0.1:4222").optional(),
  NATS_STREAM: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a stream name").default("FAILSIGHT_LOGS"),
  /** The subjects of the stream, created with it when it does not exist; comma separated. */
  NATS_SUBJECTS: z.string().min(1).default("failsight.logs.>").transform((v) => v.split(",")),
  NATS_CONSUMER: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a consumer name").default("failsight"),
  NATS_DEAD_LETTER_SUBJECT: z.string().min(1).default("failsight.dead"),
  /** consumer entry point: port of its /healthz and /metrics. */
  CONSUMER_PORT: port.default(8082),
  /** The key whose entitlements the messages carry (an ingest key naming the services they may write). */
  NATS_INGEST_KEY: z.string().regex(KEY_PATTERN, "must be a key like fsk_<8 characters>_<43 characters>").optional(),
  /** Ingest batches decompressed, parsed and written at once; the rest wait holding only their raw bytes. */
  INGEST_CONCURRENCY: positiveInt.max(256).default(DEFAULT_INGEST_CONCURRENCY),
  /** Worker threads that parse ingest bodies off the event loop; 0 parses on it. */
  INGEST_PARSE_WORKERS: z.coerce.number().int().min(0).max(64).default(DEFAULT_PARSE_WORKERS),
  /** Where `npm start` keeps the embedded PostgreSQL's data between runs. */
  FAILSIGHT_DATA_DIR: z.string().min(1).default(".failsight/pgdata"),
  FAILSIGHT_EMBEDDED_PG_PORT: port.default(54329),
  /** Seconds a shutdown waits for in-flight requests before closing connections. */
  SHUTDOWN_GRACE_SECONDS: positiveInt.max(300).default(10),
  /** Seconds the API keeps an idle keep-alive connection open: longer than the proxies and shippers in front of it keep theirs. */
  HTTP_KEEP_ALIVE_SECONDS: positiveInt.max(3600).default(HTTP_KEEP_ALIVE_DEFAULT_SECONDS),
  /** Cardinality caps of the per-service metrics: beyond them, labels fold into `other`. */
  METRICS_MAX_SERVICES: positiveInt.max(100_000).default(DEFAULT_MAX_SERVICES),
  METRICS_MAX_ERROR_SERIES: positiveInt.max(100_000).default(DEFAULT_MAX_ERROR_SERIES),
  /** How often the status tracker evaluates services and records transitions. */
  STATUS_EVALUATION_SECONDS: positiveInt.max(3600).default(DEFAULT_EVALUATION_SECONDS),
  /** Partition maintenance that `npm start` runs in-process (the cluster runs the controller). */
  PARTITION_PREMAKE_MONTHS: positiveInt.max(24).default(PARTITION_DEFAULTS.premakeMonths),
  PARTITION_RETENTION_MONTHS: z
    .union([z.literal("none"), positiveInt.max(1200)])
    .default(PARTITION_DEFAULTS.retentionMonths)
    .transform((v) => (v === "none" ? null : v)),
  PARTITION_RETENTION_MODE: z.enum(RETENTION_MODES).default(PARTITION_DEFAULTS.retentionMode),
  /** Months of per-minute and per-hour roll-ups kept (log_rollups): unset keeps them as long as the events. */
  ROLLUP_RETENTION_MONTHS: z
    .union([z.literal("none"), positiveInt.max(1200)])
    .optional()
    .transform((v) => (v === "none" ? null : v)),
  /** How often partial roll-up rows are merged. */
  ROLLUP_COMPACTION_SECONDS: positiveInt.max(3600).default(DEFAULT_COMPACTION_SECONDS),
  /** How often dependencies are inferred from the traces of newly stored events. */
  DEPENDENCY_INFERENCE_SECONDS: positiveInt.max(86_400).default(DEFAULT_INFERENCE_SECONDS),
  /** Uptime checks (POST /checks) this process probes at once; 0: it probes none (another replica does). */
  CHECKS_CONCURRENCY: z.coerce.number().int().min(0).max(1000).default(DEFAULT_CHECKS_CONCURRENCY),
  PARTITION_MAINTENANCE_MINUTES: positiveInt.max(24 * 60).default(60),
  /** How long the migrate entry point waits for PostgreSQL to accept connections (a first install starts the database and Failsight together). */
  MIGRATE_WAIT_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
  /** The controller entry point: where it watches, who it is, and its Lease timings. */
  CONTROLLER_NAMESPACE: z.string().min(1).optional(),
  POD_NAME: z.string().min(1).optional(),
  /** 0 picks a free port. */
  CONTROLLER_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /** The address /healthz, /readyz and /metrics listen on: loopback unless told (the chart says 0.0.0.0, for the kubelet and Prometheus). */
  CONTROLLER_HOST: z.string().min(1).default("127.0.0.1"),
  /** A label selector (`failsight.io/release=prod`): the policies this controller owns. Unset: every policy in its namespace. */
  CONTROLLER_SELECTOR: z
    .string()
    .regex(/^[A-Za-z0-9._\/-]+(=|==|!=)[A-Za-z0-9._-]*(,[A-Za-z0-9._\/-]+(=|==|!=)[A-Za-z0-9._-]*)*$/, "must be key=value[,key=value...]")
    .optional(),
  LEASE_NAME: z.string().min(1).default("failsight-partition-controller"),
  LEASE_DURATION_SECONDS: positiveInt.max(300).default(15),
  LEASE_RENEW_DEADLINE_SECONDS: positiveInt.max(300).default(10),
  LEASE_RETRY_PERIOD_SECONDS: positiveInt.max(60).default(2),
});

export type Config = z.infer<typeof ConfigSchema> & { HOST: string };

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as it does in most shells and Helm templates.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = ConfigSchema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid configuration from the environment:\n${lines.join("\n")}`);
  }
  return { ...result.data, HOST: result.data.HOST ?? (result.data.FAILSIGHT_AUTH === "off" ? "127.0.0.1" : "0.0.0.0") };
}

/** The database timeouts a config asks for, in createDb's terms. */
export function dbTimeouts(config: Config) {
  return { connectSeconds: config.DB_CONNECT_TIMEOUT_SECONDS, statementMs: config.DB_STATEMENT_TIMEOUT_SECONDS * 1000, idleInTransactionMs: config.DB_IDLE_IN_TRANSACTION_SECONDS * 1000 };
}
