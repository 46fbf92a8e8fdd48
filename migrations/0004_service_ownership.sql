-- Hand-written: who owns a service an operator registers.
--
-- An operator registers services (POST /services, or a first batch to a new name) for the
-- team it belongs to: the row names that team, so the operator can see and write it
-- afterwards. Before this, such rows had no owner and the operator who made them could
-- neither see nor write them: its first batch to a new name was refused.

-- The team an operator's new services belong to: its only team; NULL when it has none or
-- several (it must then name one, and the policy below checks that it is its own).
CREATE FUNCTION failsight_new_service_owner() RETURNS text
  LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN failsight_setting('role') = 'operator' AND count(*) = 1 THEN min(t) END
    FROM failsight_user_teams() AS t $$;
--> statement-breakpoint
DROP POLICY services_insert ON services;
--> statement-breakpoint
CREATE POLICY services_insert ON services FOR INSERT WITH CHECK (
  failsight_is_system()
  OR failsight_setting('role') = 'admin'
  OR (failsight_setting('role') = 'operator' AND owner_team IN (SELECT failsight_user_teams()))
  OR (failsight_setting('role') = 'ingest' AND name IN (SELECT failsight_ingest_scope()))
);
