-- Generated: log_events.service_id loses its foreign key. Hand-written below: the same
-- guarantee, checked once per statement rather than once per row.
--
-- The foreign key ran one SPI lookup on services, FOR KEY SHARE, for every event: 24 % of
-- ingest's database CPU under load (#15, perf), for a batch that names a few services
-- thousands of times. Dropping it cut the database's CPU per event 16-22 %. What it
-- guaranteed still holds:
--   * an event names a service that exists: failsight_events_name_services, a statement
--     trigger over the statement's new rows, looks up each distinct service once and locks
--     it FOR KEY SHARE, as the foreign key did, so a concurrent DELETE of it waits for the
--     batch and then sees its events;
--   * a service that has events is not deleted, nor its id changed, nor services truncated
--     under them: failsight_keep_services_with_events.
-- Both read as the owner in the system scope, as the foreign key's own lookups did:
-- row-level security is forced on services and log_events, and FOR KEY SHARE would also
-- need the UPDATE policy, which an ingest key never meets. (A function's SET clause may not
-- name a custom setting unless a superuser made it, so set_config sets the scope and puts
-- the caller's back; a failed statement's rollback restores it too.) A statement trigger on the parent does not fire for rows inserted into
-- a partition directly; only partition maintenance does that, and only with rows that were
-- already in the table.
ALTER TABLE "log_events" DROP CONSTRAINT "log_events_service_id_services_id_fk";
--> statement-breakpoint
CREATE FUNCTION failsight_events_name_services() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  caller_scope text := current_setting('failsight.scope', true);
  missing int;
BEGIN
  PERFORM set_config('failsight.scope', 'system', true);
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
  PERFORM set_config('failsight.scope', coalesce(caller_scope, ''), true);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER log_events_name_services AFTER INSERT ON log_events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION failsight_events_name_services();
--> statement-breakpoint
CREATE FUNCTION failsight_keep_services_with_events() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  caller_scope text := current_setting('failsight.scope', true);
  referenced boolean;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
    RETURN NEW;
  END IF;
  PERFORM set_config('failsight.scope', 'system', true);
  IF TG_OP = 'TRUNCATE' THEN
    referenced := EXISTS (SELECT FROM log_events);
  ELSE
    referenced := EXISTS (SELECT FROM log_events WHERE service_id = OLD.id);
  END IF;
  PERFORM set_config('failsight.scope', coalesce(caller_scope, ''), true);
  IF TG_OP = 'TRUNCATE' THEN
    -- After the truncation, so that TRUNCATE services, log_events (which empties both) passes.
    IF referenced THEN
      RAISE EXCEPTION 'cannot truncate services: log_events names its rows' USING ERRCODE = 'foreign_key_violation', TABLE = 'services';
    END IF;
    RETURN NULL;
  END IF;
  IF referenced THEN
    RAISE EXCEPTION 'service % has events: it cannot be deleted or renumbered', OLD.name
      USING ERRCODE = 'foreign_key_violation', TABLE = 'services',
            DETAIL = format('Key (id)=(%s) is still referenced from table "log_events".', OLD.id);
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
--> statement-breakpoint
CREATE TRIGGER services_keep_events BEFORE DELETE OR UPDATE OF id ON services
  FOR EACH ROW EXECUTE FUNCTION failsight_keep_services_with_events();
--> statement-breakpoint
CREATE TRIGGER services_keep_events_on_truncate AFTER TRUNCATE ON services
  FOR EACH STATEMENT EXECUTE FUNCTION failsight_keep_services_with_events();
