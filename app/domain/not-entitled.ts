/**
 * The caller may not do this to these services. Raised below the HTTP layer (where
 * row-level security would otherwise answer with a bare 42501, or nothing at all) and
 * answered as 403 by the API.
 */
export class NotEntitledError extends Error {
  override name = "NotEntitledError";
}
