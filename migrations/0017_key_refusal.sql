-- Hand-written: the key check of 0012, failing the statement instead of answering false.
-- A read sent in one round trip (app/db/scope.ts, readInOneTrip) writes its BEGIN, scope,
-- query, audit entry and COMMIT before any answer comes back: a key that no longer holds
-- must abort that transaction in the database, or its read and its entry would commit.
-- The API maps SQLSTATE FS401 to a 401.
CREATE FUNCTION failsight_require_current_key(key_id int, acting_role text) RETURNS boolean
  LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF NOT failsight_key_is_current(key_id, acting_role) THEN
    RAISE EXCEPTION 'this key was revoked, has expired, or its user''s role changed' USING ERRCODE = 'FS401';
  END IF;
  RETURN true;
END $$;
