-- Generated: log_events.service_id loses its foreign key. Hand-written below: the same
-- guarantee, checked once per statement rather than once per row.
--
-- The foreign key ran one SPI lookup on services, FOR KEY SHARE, for every event: 24 % of
-- ingest's database CPU under load (#15, perf), for a batch that names a few services
-- thousands of times. Checked per statement instead, the database spends about 5 % less
-- CPU per event with one client and 12 % less with four (#15). What it guaranteed still holds:
--   * an event names a service that exists: failsight_events_name_services, a statement
--     trigger over the statement's new rows, looks up each distinct service once and locks
--     it FOR KEY SHARE, as the foreign key did, so a concurrent DELETE of it waits for the
--     batch and then sees its events;
--   * a service that has events is not deleted, nor its id changed, nor services truncated
--     under them: failsight_keep_services_with_events.
-- Both read in the system scope (failsight_enter_system_scope), as the foreign key's own
-- lookups bypassed row-level security: it is forced on services and log_events, and FOR
-- KEY SHARE would also need the UPDATE policy, which an ingest key never meets. A statement
-- trigger on the parent does not fire for rows inserted into a partition directly; only
-- partition maintenance does that, and only with rows that were already in the table.
ALTER TABLE "log_events" DROP CONSTRAINT "log_events_service_id_services_id_fk";
--> statement-breakpoint
-- Enters Failsight's system scope for the rest of the transaction and answers the scope it
-- replaced, which the caller sets back. It sees every row only inside a SECURITY DEFINER
-- function of the owner's (failsight_is_system); for anyone else it is a setting, which any
-- session may set. (A function's SET clause may not name a custom setting unless a
-- superuser made it; a failed statement's rollback restores the setting too.)
CREATE FUNCTION failsight_enter_system_scope() RETURNS text
  LANGUAGE plpgsql AS $$
DECLARE
  replaced text := coalesce(current_setting('failsight.scope', true), '');
BEGIN
  PERFORM set_config('failsight.scope', 'system', true);
  RETURN replaced;
END $$;
--> statement-breakpoint
CREATE FUNCTION failsight_events_name_services() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  caller_scope text := failsight_enter_system_scope();
  missing int;
BEGIN
  SELECT n.service_id INTO missing
  FROM (SELECT DISTINCT service_id FROM new_events) n
  LEFT JOIN (SELECT id FROM services WHERE id IN (SELECT service_id FROM new_events) FOR KEY SHARE) s ON s.id = n.service_id
  WHERE s.id IS NULL
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert on table "log_events" names a service that does not exist'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'log_events', COLUMN = 'service_id',
            DETAIL = format('Key (service_id)=(%s) is not present in table "services".', missing);
  END IF;
  PERFORM set_config('failsight.scope', caller_scope, true);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER log_events_name_services AFTER INSERT ON log_events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION failsight_events_name_services();
--> statement-breakpoint
CREATE FUNCTION failsight_keep_services_with_events() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  caller_scope text := failsight_enter_system_scope();
  referenced boolean;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    -- After the truncation, so that TRUNCATE services, log_events (which empties both) passes.
    referenced := EXISTS (SELECT FROM log_events);
  ELSE
    referenced := EXISTS (SELECT FROM log_events WHERE service_id = OLD.id);
  END IF;
  PERFORM set_config('failsight.scope', caller_scope, true);
  IF referenced AND TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'cannot truncate services: log_events names its rows' USING ERRCODE = 'foreign_key_violation', TABLE = 'services';
  ELSIF referenced THEN
    RAISE EXCEPTION 'service % has events: it cannot be deleted or renumbered', OLD.name
      USING ERRCODE = 'foreign_key_violation', TABLE = 'services',
            DETAIL = format('Key (id)=(%s) is still referenced from table "log_events".', OLD.id);
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD WHEN 'UPDATE' THEN NEW END;
END $$;
--> statement-breakpoint
CREATE TRIGGER services_keep_events BEFORE DELETE ON services
  FOR EACH ROW EXECUTE FUNCTION failsight_keep_services_with_events();
--> statement-breakpoint
CREATE TRIGGER services_keep_events_renumbered BEFORE UPDATE OF id ON services
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION failsight_keep_services_with_events();
--> statement-breakpoint
CREATE TRIGGER services_keep_events_on_truncate AFTER TRUNCATE ON services
  FOR EACH STATEMENT EXECUTE FUNCTION failsight_keep_services_with_events();
