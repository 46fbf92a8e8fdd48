CREATE TABLE "log_rollups" (
	"ts" timestamp with time zone NOT NULL,
	"bucket_seconds" integer NOT NULL,
	"service_id" integer NOT NULL,
	"events" integer NOT NULL,
	"errors" integer NOT NULL,
	"level_trace" integer DEFAULT 0 NOT NULL,
	"level_debug" integer DEFAULT 0 NOT NULL,
	"level_info" integer DEFAULT 0 NOT NULL,
	"level_warn" integer DEFAULT 0 NOT NULL,
	"level_error" integer DEFAULT 0 NOT NULL,
	"level_fatal" integer DEFAULT 0 NOT NULL,
	"status_1xx" integer DEFAULT 0 NOT NULL,
	"status_2xx" integer DEFAULT 0 NOT NULL,
	"status_3xx" integer DEFAULT 0 NOT NULL,
	"status_4xx" integer DEFAULT 0 NOT NULL,
	"status_5xx" integer DEFAULT 0 NOT NULL,
	"latency_count" integer DEFAULT 0 NOT NULL,
	"latency_sum" double precision DEFAULT 0 NOT NULL,
	"latency_buckets" smallint[] DEFAULT '{}'::smallint[] NOT NULL,
	"latency_counts" integer[] DEFAULT '{}'::int[] NOT NULL,
	"last_ts" timestamp (6) with time zone NOT NULL,
	"compacted" boolean DEFAULT false NOT NULL,
	CONSTRAINT "log_rollups_bucket_seconds" CHECK ("log_rollups"."bucket_seconds" IN (60, 3600))
) PARTITION BY RANGE ("ts");
--> statement-breakpoint
ALTER TABLE "log_rollups" ADD CONSTRAINT "log_rollups_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "log_rollups_bucket_ts_idx" ON "log_rollups" USING btree ("bucket_seconds","ts","service_id");--> statement-breakpoint
CREATE INDEX "log_rollups_partial_idx" ON "log_rollups" USING btree ("bucket_seconds","ts","service_id") WHERE NOT "log_rollups"."compacted";--> statement-breakpoint
-- Hand-written from here (drizzle-kit cannot express partitions): log_rollups is
-- partitioned by month on "ts" like log_events, by an edit of the CREATE TABLE above made
-- before it was ever applied, with a DEFAULT partition and the current month and the next
-- three made here; partition maintenance keeps it from then on (its own policy, so roll-ups
-- may be kept longer than raw events).
CREATE TABLE "log_rollups_default" PARTITION OF "log_rollups" DEFAULT;
--> statement-breakpoint
DO $$
DECLARE
  month_start timestamptz;
BEGIN
  FOR i IN 0..3 LOOP
    month_start := date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + make_interval(months => i);
    EXECUTE format(
      'CREATE TABLE IF NOT EXISTS %I PARTITION OF log_rollups FOR VALUES FROM (%L) TO (%L)',
      'log_rollups_p' || to_char(month_start AT TIME ZONE 'UTC', 'YYYY_MM'),
      month_start,
      month_start + interval '1 month'
    );
  END LOOP;
END
$$;
--> statement-breakpoint
-- The latency histogram's scale, declared once: bucket i holds latencies in (γ^(i-1), γ^i] ms
-- with γ = (1 + α) / (1 - α) and α = 0.02, and reads back as 2γ^i / (γ + 1), which is within
-- 2% of every latency in the bucket; so a quantile read from merged histograms is within 2%
-- of the exact nearest-rank quantile. Zero and negative latencies share bucket -32768 (read
-- as 0); the rest is clamped to smallint (1e-300 ms to 1e300 ms fit well inside).
CREATE FUNCTION failsight_latency_bucket(ms double precision) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN ms IS NULL THEN NULL
                WHEN ms <= 0 THEN -32768
                ELSE greatest(-32767, least(32767, ceil(ln(ms) / ln(1.02 / 0.98))))::smallint END $$;
--> statement-breakpoint
CREATE FUNCTION failsight_latency_value(bucket smallint) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN bucket = -32768 THEN 0 ELSE 2 * power(1.02 / 0.98, bucket) / (1.02 / 0.98 + 1) END $$;
--> statement-breakpoint
-- Readable like log_events; ingest appends partial rows for the services it may write; only
-- Failsight itself (the compactor, retention) changes or removes them.
ALTER TABLE log_rollups ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE log_rollups FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY log_rollups_read ON log_rollups FOR SELECT USING (
  (SELECT failsight_is_system())
  OR (((SELECT failsight_setting('role')) IN ('viewer', 'operator', 'admin') OR (SELECT failsight_reader_team(current_user)) IS NOT NULL)
      AND service_id IN (SELECT id FROM services))
);
--> statement-breakpoint
CREATE POLICY log_rollups_insert ON log_rollups FOR INSERT WITH CHECK (
  (SELECT failsight_is_system())
  OR (SELECT failsight_setting('role')) = 'admin'
  OR ((SELECT failsight_setting('role')) = 'ingest' AND service_id IN (SELECT id FROM services))
  OR ((SELECT failsight_setting('role')) = 'operator'
      AND service_id IN (SELECT id FROM services WHERE owner_team IN (SELECT failsight_user_teams())
                         UNION SELECT failsight_granted_services('write')))
);
--> statement-breakpoint
CREATE POLICY log_rollups_compact ON log_rollups FOR DELETE USING ((SELECT failsight_is_system()));
--> statement-breakpoint
GRANT SELECT, INSERT ON log_rollups TO failsight_runtime;
--> statement-breakpoint
-- SQL readers made before this (app/access/sql-readers.ts grants new ones the same).
DO $$
DECLARE
  reader text;
BEGIN
  FOR reader IN SELECT role_name FROM sql_readers LOOP
    EXECUTE format('GRANT SELECT ON log_rollups TO %I', reader);
  END LOOP;
END
$$;
--> statement-breakpoint
-- Events stored before this migration, rolled up once (as Failsight itself: log_events'
-- policies are forced on the owner too). The same aggregation as ingest's
-- (app/rollups/rollup-sql.ts) as it stood when this was written.
SELECT set_config('failsight.scope', 'system', true);
--> statement-breakpoint
INSERT INTO log_rollups (ts, bucket_seconds, service_id, events, errors, level_trace, level_debug, level_info, level_warn, level_error, level_fatal,
                         status_1xx, status_2xx, status_3xx, status_4xx, status_5xx, latency_count, latency_sum, latency_buckets, latency_counts, last_ts, compacted)
SELECT ts, bucket_seconds, service_id, sum(n)::int, sum(errors)::int, sum(level_trace)::int, sum(level_debug)::int, sum(level_info)::int, sum(level_warn)::int,
       sum(level_error)::int, sum(level_fatal)::int, sum(status_1xx)::int, sum(status_2xx)::int, sum(status_3xx)::int, sum(status_4xx)::int, sum(status_5xx)::int,
       coalesce(sum(n) FILTER (WHERE lb IS NOT NULL), 0)::int, coalesce(sum(latency_sum), 0),
       coalesce(array_agg(lb ORDER BY lb) FILTER (WHERE lb IS NOT NULL), '{}'), coalesce(array_agg(n::int ORDER BY lb) FILTER (WHERE lb IS NOT NULL), '{}'),
       max(last_ts), true
FROM (
  SELECT date_trunc(g.unit, x.ts, 'UTC') AS ts, g.seconds AS bucket_seconds, x.service_id, failsight_latency_bucket(x.latency_ms) AS lb,
         count(*) AS n, count(*) FILTER (WHERE x.http_status >= 500 OR (x.http_status IS NULL AND x.level >= 'error')) AS errors,
         count(*) FILTER (WHERE x.level = 'trace') AS level_trace, count(*) FILTER (WHERE x.level = 'debug') AS level_debug,
         count(*) FILTER (WHERE x.level = 'info') AS level_info, count(*) FILTER (WHERE x.level = 'warn') AS level_warn,
         count(*) FILTER (WHERE x.level = 'error') AS level_error, count(*) FILTER (WHERE x.level = 'fatal') AS level_fatal,
         count(*) FILTER (WHERE x.http_status / 100 = 1) AS status_1xx, count(*) FILTER (WHERE x.http_status / 100 = 2) AS status_2xx,
         count(*) FILTER (WHERE x.http_status / 100 = 3) AS status_3xx, count(*) FILTER (WHERE x.http_status / 100 = 4) AS status_4xx,
         count(*) FILTER (WHERE x.http_status / 100 = 5) AS status_5xx,
         sum(x.latency_ms) AS latency_sum, max(x.ts) AS last_ts
  FROM log_events x CROSS JOIN (VALUES (60, 'minute'), (3600, 'hour')) AS g(seconds, unit)
  GROUP BY 1, 2, 3, 4
) per_bucket
GROUP BY ts, bucket_seconds, service_id;
--> statement-breakpoint
SELECT set_config('failsight.scope', '', true);
