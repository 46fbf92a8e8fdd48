import postgres from "postgres";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type * as schema from "./schema.ts";

export type Sql = postgres.Sql;
/** A transaction's connection: what request handlers get from asActor. */
export type Tx = postgres.TransactionSql;
/** drizzle over a connection (asActor makes one per request). */
export type Db = PostgresJsDatabase<typeof schema>;

export type DbOptions = {
  max?: number;
  /** Shown in pg_stat_activity, so an operator can tell API from controller connections. */
  applicationName?: string;
  /**
   * Start every connection in Failsight's system scope, which row-level security lets see
   * everything, but only for the owner of the tables (migrations/0007): for the CLI, the
   * migrate step and tests that check the database directly. The API's pool never does;
   * each request sets its own scope (asActor).
   */
  systemScope?: boolean;
  /** Bounds on waiting for the database; see DB_TIMEOUT_DEFAULTS. */
  timeouts?: Partial<DbTimeouts>;
};

/**
 * Every wait on PostgreSQL is bounded: a new connection, a statement (enforced by the
 * server), and a transaction left idle (a client that died mid-request must not hold
 * locks). A server that does not answer at all (frozen, or a network that drops packets)
 * is bounded by the API's request deadline instead, which no server setting can be.
 */
export type DbTimeouts = { connectSeconds: number; statementMs: number; idleInTransactionMs: number };
export const DB_TIMEOUT_DEFAULTS: DbTimeouts = { connectSeconds: 5, statementMs: 30_000, idleInTransactionMs: 60_000 };
/** Connections in one process's pool (DB_POOL_MAX). */
export const DB_POOL_DEFAULT_MAX = 10;
/** How long a request may wait for the database before the API answers 503 (REQUEST_TIMEOUT_SECONDS). */
export const REQUEST_TIMEOUT_DEFAULT_MS = 30_000;

/** The types whose values stay text both ways: drizzle's postgres-js driver sets the same (textDates). */
const TEXT_DATE_TYPES = ["1184", "1082", "1083", "1114", "1182", "1185", "1115", "1231"] as const;
const TEXT_SERIALIZED_TYPES = ["114", "3802"] as const;

/**
 * What drizzle(sql) does to a postgres.js client, done here so every pool behaves the
 * same from its first query whether or not drizzle has wrapped it yet, and so the entry
 * points that never use drizzle (the controller) need not load it (50 MiB of heap).
 */
function textDates(sql: Sql): void {
  const same = (value: unknown) => value;
  const options = sql.options as unknown as { parsers: Record<string, unknown>; serializers: Record<string, unknown> };
  for (const type of TEXT_DATE_TYPES) options.parsers[type] = options.serializers[type] = same;
  for (const type of TEXT_SERIALIZED_TYPES) options.serializers[type] = same;
}

/**
 * One pool for drizzle and raw SQL alike. Beware: dates are text both ways (textDates),
 * so raw `sql` queries must pass dates as ISO strings and read timestamps back as text or
 * epoch numbers (see `epochMs`), never as Date objects.
 */
export function createDb(url: string, options: DbOptions = {}) {
  const timeouts = { ...DB_TIMEOUT_DEFAULTS, ...options.timeouts };
  const sql = postgres(url, {
    max: options.max ?? DB_POOL_DEFAULT_MAX,
    onnotice: () => {},
    connect_timeout: timeouts.connectSeconds,
    connection: {
      application_name: options.applicationName ?? "failsight",
      TimeZone: "UTC",
      statement_timeout: String(timeouts.statementMs),
      idle_in_transaction_session_timeout: String(timeouts.idleInTransactionMs),
      // Failsight's statements read indexed slices of a few thousand rows at most, where
      // compiling a query costs more than it saves: on PostgreSQL 15 a /status over 24h spent
      // 750-877 ms of 1.2 s in JIT, and a generic plan whose estimate crossed jit_above_cost
      // took the 5-minute window from 10 ms to a second (issue 15). Off for every connection.
      jit: "off",
      ...(options.systemScope ? { "failsight.scope": "system" } : {}),
    } as never,
  });
  textDates(sql);
  return { sql };
}

/** Epoch milliseconds of a timestamptz expression, as a float8 postgres.js returns as a number. */
export const epochMs = (expression: string) => `(extract(epoch FROM ${expression}) * 1000)::float8`;

/**
 * True when an error says the database is away (refused, reset, closed, timed out, shutting
 * down) rather than that the request was wrong: the API answers 503 with Retry-After.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; errno?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? "";
  return (
    ["CONNECTION_CLOSED", "CONNECTION_DESTROYED", "CONNECTION_ENDED", "CONNECT_TIMEOUT", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH"].includes(code) ||
    /^(08|57P0)/.test(code) || // connection exceptions; admin/crash shutdown, cannot connect now
    code === "57014" // statement_timeout: the database is too slow to answer now
  );
}
