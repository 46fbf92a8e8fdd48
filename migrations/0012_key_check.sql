-- Hand-written: whether the key a request was let in with still holds, asked in the
-- request's own transaction (app/db/scoped.ts). The API keeps keys it has verified for a
-- minute rather than reading api_keys on every request; this check, run in the statement
-- that sets the request's scope, keeps a revocation, an expiry or a change of role
-- effective on the very next request at no extra round trip.
CREATE FUNCTION failsight_key_is_current(key_id int, acting_role text) RETURNS boolean
  LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
      SELECT 1 FROM api_keys k LEFT JOIN users u ON u.id = k.user_id
      WHERE k.id = key_id AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
        AND (k.kind = 'ingest' OR u.role::text = acting_role)) $$;
