-- Hand-written: database roles, so that row-level security holds for whoever has a
-- credential, not only for callers of the API.
--
-- Three kinds of role (README, "Security model"):
--   the owner     the role that runs these migrations and partition maintenance; it owns
--                 every table, and only it may act in Failsight's `system` scope.
--   failsight_runtime
--                 a NOLOGIN group; the API's login role (failsight_api) is a member. It owns
--                 nothing: no DDL, no triggers, no policies, no partitions read directly,
--                 no UPDATE or DELETE of audit entries. Its settings (failsight.role,
--                 user_id, ingest_services) say whom the API acts for.
--   SQL readers   login roles listed in sql_readers (Grafana's PostgreSQL datasource,
--                 psql): they see their team's services and events, whatever they set.
-- Before this, the API connected as the owner: anyone with its credentials could set
-- failsight.scope = 'system', read partitions directly or switch the policies off.
--
-- Creating a role needs CREATEROLE, which an application owner usually lacks: the chart's
-- CloudNativePG cluster (managed roles) and `npm start`'s embedded server make
-- failsight_runtime beforehand; here it is made only when it is missing and the owner may.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'failsight_runtime') THEN
    BEGIN
      CREATE ROLE failsight_runtime NOLOGIN;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE EXCEPTION 'role failsight_runtime does not exist and % may not create it: have an administrator run CREATE ROLE failsight_runtime NOLOGIN, then migrate again', current_user;
    END;
  END IF;
END $$;
--> statement-breakpoint

-- Whether the current role may act as the owner of Failsight's tables (itself, a member,
-- or a superuser): the only holder of the `system` scope.
CREATE FUNCTION failsight_is_owner() RETURNS boolean
  LANGUAGE sql STABLE AS $$ SELECT pg_has_role((SELECT relowner FROM pg_class WHERE oid = 'public.services'::regclass), 'MEMBER') $$;
--> statement-breakpoint
-- Settings speak only for the API's role and the owner: any other session can set any
-- failsight.* it likes, and gains nothing by it.
CREATE OR REPLACE FUNCTION failsight_setting(name text) RETURNS text
  LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN pg_has_role('failsight_runtime', 'MEMBER') OR failsight_is_owner()
                THEN nullif(current_setting('failsight.' || name, true), '') END $$;
--> statement-breakpoint
-- The system scope is the owner's, never the API's: a GUC is not a credential.
CREATE OR REPLACE FUNCTION failsight_is_system() RETURNS boolean
  LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('failsight.scope', true), '') = 'system', false) AND failsight_is_owner() $$;
--> statement-breakpoint
-- The team a SQL reader role reads as. SECURITY DEFINER: readers need no privilege on
-- sql_readers itself; the role asked about is passed in, since inside the function
-- current_user is the owner.
CREATE FUNCTION failsight_reader_team(reader name) RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT team FROM sql_readers WHERE role_name = reader $$;
--> statement-breakpoint
-- The caller's teams and grants, read as the owner: the policies name these tables, and a
-- reader (which has no privilege on them) must be able to plan a policy it does not meet.
-- Safe as definer: every branch that uses them first checks failsight_setting('role'),
-- which is read as the caller and speaks only for the runtime role and the owner.
CREATE OR REPLACE FUNCTION failsight_user_teams() RETURNS SETOF text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.name FROM teams t JOIN team_members m ON m.team_id = t.id
    WHERE m.user_id = nullif(current_setting('failsight.user_id', true), '')::int $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION failsight_granted_services(needed grant_access) RETURNS SETOF int
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT g.service_id FROM grants g
    WHERE g.access >= needed
      AND (g.user_id = nullif(current_setting('failsight.user_id', true), '')::int
           OR g.team_id IN (SELECT team_id FROM team_members WHERE user_id = nullif(current_setting('failsight.user_id', true), '')::int)) $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION failsight_reader_team(name) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION failsight_reader_team(name) TO PUBLIC;
--> statement-breakpoint

-- Every policy again, for two reasons: readers see their team's services and those
-- services' events and transitions; and each setting, role check and reader lookup is a
-- scalar sub-select, which PostgreSQL evaluates once per statement (an InitPlan) rather
-- than once per row: with pg_has_role in failsight_setting(), per-row calls doubled the
-- cost of row-level security on a 1,000-row page.
DROP POLICY services_read ON services;
--> statement-breakpoint
CREATE POLICY services_read ON services FOR SELECT USING (
  (SELECT failsight_is_system())
  OR (SELECT failsight_setting('role')) = 'admin'
  OR ((SELECT failsight_setting('role')) IN ('viewer', 'operator')
      AND (owner_team IN (SELECT failsight_user_teams()) OR id IN (SELECT failsight_granted_services('read'))))
  OR ((SELECT failsight_setting('role')) = 'ingest' AND name IN (SELECT failsight_ingest_scope()))
  OR owner_team = (SELECT failsight_reader_team(current_user))
);
--> statement-breakpoint
DROP POLICY services_insert ON services;
--> statement-breakpoint
CREATE POLICY services_insert ON services FOR INSERT WITH CHECK (
  (SELECT failsight_is_system())
  OR (SELECT failsight_setting('role')) = 'admin'
  OR ((SELECT failsight_setting('role')) = 'operator' AND owner_team IN (SELECT failsight_user_teams()))
  OR ((SELECT failsight_setting('role')) = 'ingest' AND name IN (SELECT failsight_ingest_scope()))
);
--> statement-breakpoint
DROP POLICY services_update ON services;
--> statement-breakpoint
CREATE POLICY services_update ON services FOR UPDATE USING (
  (SELECT failsight_is_system())
  OR (SELECT failsight_setting('role')) = 'admin'
  OR ((SELECT failsight_setting('role')) = 'operator'
      AND (owner_team IN (SELECT failsight_user_teams()) OR id IN (SELECT failsight_granted_services('write'))))
);
--> statement-breakpoint
DROP POLICY log_events_read ON log_events;
--> statement-breakpoint
CREATE POLICY log_events_read ON log_events FOR SELECT USING (
  (SELECT failsight_is_system())
  OR (((SELECT failsight_setting('role')) IN ('viewer', 'operator', 'admin') OR (SELECT failsight_reader_team(current_user)) IS NOT NULL)
      AND service_id IN (SELECT id FROM services))
);
--> statement-breakpoint
DROP POLICY log_events_insert ON log_events;
--> statement-breakpoint
CREATE POLICY log_events_insert ON log_events FOR INSERT WITH CHECK (
  (SELECT failsight_is_system())
  OR (SELECT failsight_setting('role')) = 'admin'
  OR ((SELECT failsight_setting('role')) = 'ingest' AND service_id IN (SELECT id FROM services))
  OR ((SELECT failsight_setting('role')) = 'operator'
      AND service_id IN (SELECT id FROM services WHERE owner_team IN (SELECT failsight_user_teams())
                         UNION SELECT failsight_granted_services('write')))
);
--> statement-breakpoint
DROP POLICY status_events_read ON status_events;
--> statement-breakpoint
CREATE POLICY status_events_read ON status_events FOR SELECT USING (
  (SELECT failsight_is_system())
  OR (((SELECT failsight_setting('role')) IN ('viewer', 'operator', 'admin') OR (SELECT failsight_reader_team(current_user)) IS NOT NULL)
      AND service_id IN (SELECT id FROM services))
);
--> statement-breakpoint
DROP POLICY status_events_insert ON status_events;
--> statement-breakpoint
CREATE POLICY status_events_insert ON status_events FOR INSERT WITH CHECK ((SELECT failsight_is_system()));
--> statement-breakpoint
DROP POLICY audit_log_append ON audit_log;
--> statement-breakpoint
CREATE POLICY audit_log_append ON audit_log FOR INSERT WITH CHECK ((SELECT failsight_is_system()) OR (SELECT failsight_setting('scope')) = 'request');
--> statement-breakpoint
DROP POLICY audit_log_read ON audit_log;
--> statement-breakpoint
CREATE POLICY audit_log_read ON audit_log FOR SELECT USING ((SELECT failsight_is_system()) OR (SELECT failsight_setting('role')) = 'admin');
--> statement-breakpoint
-- sql_readers itself is the owner's alone: no role is granted anything on it.

-- What the API's role may do: the statements of its routes, on the parent tables only (a
-- partition read directly has no policy; the runtime has no grant on any partition, and
-- partitions made later get none either).
GRANT USAGE ON SCHEMA public TO failsight_runtime;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON services TO failsight_runtime;
--> statement-breakpoint
GRANT SELECT, INSERT ON log_events TO failsight_runtime;
--> statement-breakpoint
GRANT SELECT ON status_events TO failsight_runtime;
--> statement-breakpoint
GRANT SELECT, INSERT ON audit_log TO failsight_runtime;
--> statement-breakpoint
-- Access control's own tables, which the admin routes change (their guard is the route's
-- admin check: the API acts for every caller, so its credentials stay the API's secret).
GRANT SELECT, INSERT, UPDATE, DELETE ON users, teams, team_members, grants, api_keys TO failsight_runtime;
--> statement-breakpoint
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO failsight_runtime;
--> statement-breakpoint
-- GET /logs reads the id sequence's high-water mark for its snapshot.
GRANT SELECT ON SEQUENCE log_events_id_seq TO failsight_runtime;
--> statement-breakpoint
-- /ready counts applied migrations.
GRANT USAGE ON SCHEMA drizzle TO failsight_runtime;
--> statement-breakpoint
GRANT SELECT ON drizzle.__drizzle_migrations TO failsight_runtime;
