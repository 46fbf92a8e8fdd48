-- Hand-written: the key check of 0012, cheaper, and a form of it that fails the statement.
--
-- failsight_key_is_current was a SQL function, which PostgreSQL neither inlines (its body
-- has a sub-SELECT) nor keeps a plan for between calls: every request's scope statement
-- planned the api_keys query again (~0.2 ms of ~0.4 for BEGIN, scope and COMMIT on the
-- bench machine). PL/pgSQL keeps its statements' plans for the session.
--
-- A read sent in one round trip (app/db/scope.ts, readInOneTrip) writes its BEGIN, scope,
-- query, audit entry and COMMIT before any answer comes back: a key that no longer holds
-- must abort that transaction in the database, or its read and its entry would commit.
-- failsight_require_current_key raises SQLSTATE FS401, which the API answers with a 401.
CREATE OR REPLACE FUNCTION failsight_key_is_current(key_id int, acting_role text) RETURNS boolean
  LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN EXISTS (
    SELECT FROM api_keys k LEFT JOIN users u ON u.id = k.user_id
    WHERE k.id = key_id AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
      AND (k.kind = 'ingest' OR u.role::text = acting_role));
END $$;
--> statement-breakpoint
CREATE FUNCTION failsight_require_current_key(key_id int, acting_role text) RETURNS boolean
  LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF NOT failsight_key_is_current(key_id, acting_role) THEN
    RAISE EXCEPTION 'this key was revoked, has expired, or its user''s role changed' USING ERRCODE = 'FS401';
  END IF;
  RETURN true;
END $$;
