CREATE TYPE "public"."check_kind" AS ENUM('http', 'tcp', 'dns');--> statement-breakpoint
CREATE TYPE "public"."check_outcome" AS ENUM('pass', 'warn', 'fail');--> statement-breakpoint
CREATE TYPE "public"."check_source" AS ENUM('api', 'kubernetes');--> statement-breakpoint
CREATE TYPE "public"."ping_kind" AS ENUM('success', 'fail', 'start');--> statement-breakpoint
CREATE TABLE "checks" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"service_id" integer NOT NULL,
	"kind" "check_kind" NOT NULL,
	"spec" jsonb NOT NULL,
	"interval_seconds" integer NOT NULL,
	"timeout_ms" integer NOT NULL,
	"source" "check_source" DEFAULT 'api' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"next_run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_at" timestamp with time zone,
	"last_outcome" "check_outcome",
	"last_latency_ms" double precision,
	"last_error_code" text,
	"last_message" text,
	CONSTRAINT "checks_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "heartbeats" (
	"service_id" integer PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"period_seconds" integer NOT NULL,
	"grace_seconds" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_ping_at" timestamp with time zone,
	"last_ping_kind" "ping_kind",
	"last_success_at" timestamp with time zone,
	CONSTRAINT "heartbeats_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
ALTER TABLE "checks" ADD CONSTRAINT "checks_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "heartbeats" ADD CONSTRAINT "heartbeats_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "checks_due_idx" ON "checks" USING btree ("source","next_run_at");--> statement-breakpoint
CREATE INDEX "checks_service_idx" ON "checks" USING btree ("service_id");--> statement-breakpoint
-- The services a caller may change (and so whose checks and heartbeat it may manage): the
-- same set services_update allows, declared once here for the tables that hang off a service.
CREATE FUNCTION failsight_writable_services() RETURNS SETOF int
  LANGUAGE sql STABLE AS $$
    SELECT id FROM services
    WHERE (SELECT failsight_is_system())
       OR (SELECT failsight_setting('role')) = 'admin'
       OR ((SELECT failsight_setting('role')) = 'operator'
           AND (owner_team IN (SELECT failsight_user_teams()) OR id IN (SELECT failsight_granted_services('write')))) $$;
--> statement-breakpoint
-- Checks and heartbeats are seen by whoever may see their service, changed by whoever may
-- change it; the check runner and the heartbeat ping act as Failsight itself.
ALTER TABLE checks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE checks FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY checks_read ON checks FOR SELECT USING (
  (SELECT failsight_is_system())
  OR ((SELECT failsight_setting('role')) IN ('viewer', 'operator', 'admin') AND service_id IN (SELECT id FROM services))
);
--> statement-breakpoint
CREATE POLICY checks_write ON checks FOR ALL USING (service_id IN (SELECT failsight_writable_services()))
  WITH CHECK (service_id IN (SELECT failsight_writable_services()));
--> statement-breakpoint
ALTER TABLE heartbeats ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE heartbeats FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY heartbeats_read ON heartbeats FOR SELECT USING (
  (SELECT failsight_is_system())
  OR ((SELECT failsight_setting('role')) IN ('viewer', 'operator', 'admin') AND service_id IN (SELECT id FROM services))
);
--> statement-breakpoint
CREATE POLICY heartbeats_write ON heartbeats FOR ALL USING (service_id IN (SELECT failsight_writable_services()))
  WITH CHECK (service_id IN (SELECT failsight_writable_services()));
--> statement-breakpoint
-- A ping carries no API key: its token is the credential. This records the ping on the
-- heartbeat whose token hashes to `token_hash` and answers that service's name (nothing
-- for an unknown or revoked token), so the API's role needs no way to read heartbeats it is
-- not entitled to. It acts as the owner in the system scope for its one UPDATE and then
-- puts the caller's scope back. (A `SET failsight.scope` clause on the function would be
-- neater, but PostgreSQL lets only a superuser attach an unregistered setting to a function.)
CREATE FUNCTION failsight_heartbeat_ping(token_hash text, kind ping_kind) RETURNS TABLE (service text)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  caller_scope text := current_setting('failsight.scope', true);
BEGIN
  PERFORM set_config('failsight.scope', 'system', true);
  RETURN QUERY
    UPDATE heartbeats h SET last_ping_at = now(), last_ping_kind = kind,
           last_success_at = CASE WHEN kind = 'success' THEN now() ELSE h.last_success_at END
    FROM services s
    WHERE h.token_hash = failsight_heartbeat_ping.token_hash AND s.id = h.service_id
    RETURNING s.name;
  PERFORM set_config('failsight.scope', coalesce(caller_scope, ''), true);
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION failsight_heartbeat_ping(text, ping_kind) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION failsight_heartbeat_ping(text, ping_kind) TO failsight_runtime;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON checks, heartbeats TO failsight_runtime;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE checks_id_seq TO failsight_runtime;
