-- Hand-written: row-level security, the one place entitlements are enforced.
--
-- The API sets these per transaction (set_config(..., true)) from the caller's API key:
--   failsight.scope            'request' for API calls, 'system' for Failsight's own jobs
--   failsight.role             viewer | operator | admin | ingest
--   failsight.user_id          the calling user's id (user keys)
--   failsight.ingest_services  JSON array of the service names an ingest key may write
-- With none of them set, as for any other connection of the application role, every
-- policy below answers "nothing". FORCE makes them apply to the table owner too (the role
-- Failsight connects as); only superusers and BYPASSRLS roles skip them, and Failsight
-- refuses to serve requests over such a connection.

CREATE FUNCTION failsight_setting(name text) RETURNS text
  LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('failsight.' || name, true), '') $$;
--> statement-breakpoint
CREATE FUNCTION failsight_is_system() RETURNS boolean
  LANGUAGE sql STABLE AS $$ SELECT coalesce(failsight_setting('scope') = 'system', false) $$;
--> statement-breakpoint
-- Teams the calling user belongs to, by name (services.owner_team names a team).
CREATE FUNCTION failsight_user_teams() RETURNS SETOF text
  LANGUAGE sql STABLE AS $$
    SELECT t.name FROM teams t JOIN team_members m ON m.team_id = t.id
    WHERE m.user_id = failsight_setting('user_id')::int $$;
--> statement-breakpoint
-- Services granted to the calling user, directly or through a team, with at least `needed`.
CREATE FUNCTION failsight_granted_services(needed grant_access) RETURNS SETOF int
  LANGUAGE sql STABLE AS $$
    SELECT g.service_id FROM grants g
    WHERE g.access >= needed
      AND (g.user_id = failsight_setting('user_id')::int
           OR g.team_id IN (SELECT team_id FROM team_members WHERE user_id = failsight_setting('user_id')::int)) $$;
--> statement-breakpoint
CREATE FUNCTION failsight_ingest_scope() RETURNS SETOF text
  LANGUAGE sql STABLE AS $$ SELECT jsonb_array_elements_text(coalesce(failsight_setting('ingest_services'), '[]')::jsonb) $$;
--> statement-breakpoint

-- services: who may see a service is who may see its logs.
ALTER TABLE services ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE services FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY services_read ON services FOR SELECT USING (
  failsight_is_system()
  OR failsight_setting('role') = 'admin'
  OR (failsight_setting('role') IN ('viewer', 'operator')
      AND (owner_team IN (SELECT failsight_user_teams()) OR id IN (SELECT failsight_granted_services('read'))))
  OR (failsight_setting('role') = 'ingest' AND name IN (SELECT failsight_ingest_scope()))
);
--> statement-breakpoint
-- Ingest registers unknown services on first sight, within its scope only.
CREATE POLICY services_insert ON services FOR INSERT WITH CHECK (
  failsight_is_system()
  OR failsight_setting('role') IN ('operator', 'admin')
  OR (failsight_setting('role') = 'ingest' AND name IN (SELECT failsight_ingest_scope()))
);
--> statement-breakpoint
CREATE POLICY services_update ON services FOR UPDATE USING (
  failsight_is_system()
  OR failsight_setting('role') = 'admin'
  OR (failsight_setting('role') = 'operator'
      AND (owner_team IN (SELECT failsight_user_teams()) OR id IN (SELECT failsight_granted_services('write'))))
);
--> statement-breakpoint

-- log_events: a row is visible when its service is (services' own policy applies inside).
ALTER TABLE log_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE log_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY log_events_read ON log_events FOR SELECT USING (
  failsight_is_system()
  OR (failsight_setting('role') IN ('viewer', 'operator', 'admin') AND service_id IN (SELECT id FROM services))
);
--> statement-breakpoint
CREATE POLICY log_events_insert ON log_events FOR INSERT WITH CHECK (
  failsight_is_system()
  OR failsight_setting('role') = 'admin'
  OR (failsight_setting('role') = 'ingest' AND service_id IN (SELECT id FROM services))
  OR (failsight_setting('role') = 'operator'
      AND service_id IN (SELECT id FROM services WHERE owner_team IN (SELECT failsight_user_teams())
                         UNION SELECT failsight_granted_services('write')))
);
--> statement-breakpoint

-- status_events: readable like the logs; written only by Failsight's status tracker.
ALTER TABLE status_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE status_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY status_events_read ON status_events FOR SELECT USING (
  failsight_is_system()
  OR (failsight_setting('role') IN ('viewer', 'operator', 'admin') AND service_id IN (SELECT id FROM services))
);
--> statement-breakpoint
CREATE POLICY status_events_insert ON status_events FOR INSERT WITH CHECK (failsight_is_system());
--> statement-breakpoint

-- audit_log: every caller's reads are appended; only admins read it back; nobody changes it.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY audit_log_append ON audit_log FOR INSERT WITH CHECK (failsight_is_system() OR failsight_setting('scope') = 'request');
--> statement-breakpoint
CREATE POLICY audit_log_read ON audit_log FOR SELECT USING (failsight_is_system() OR failsight_setting('role') = 'admin');
--> statement-breakpoint
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
