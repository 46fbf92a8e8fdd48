import { RequestError } from "../domain/request-error.ts";
import type { MiddlewareHandler } from "hono";
import { unstorable } from "../domain/text.ts";

/**
 * Refuses a path or query string that no route could use: malformed percent-encoding, NUL
 * characters and lone surrogates (PostgreSQL stores neither). One check for every route,
 * present and future, so none of them meets such a value in a statement and answers 500.
 */
export const refuseUnusableUrl: MiddlewareHandler = async (c, next) => {
  const url = c.req.url;
  // Only percent-encoding can carry either: the HTTP parser refuses a raw NUL, and a URL's
  // raw bytes read as Latin-1 are never surrogates. Most requests have no `%` to decode.
  if (!url.includes("%")) return next();
  const queryStart = url.indexOf("?");
  const path = new URL(url).pathname;
  for (const segment of path.split("/")) check("path", segment);
  if (queryStart >= 0) {
    for (const pair of url.slice(queryStart + 1).split("&")) {
      const [name = "", value = ""] = pair.split(/=(.*)/s);
      const field = check("query", name);
      check(field, value);
    }
  }
  await next();
};

/** The decoded text; throws a 400 naming `field` when it is unusable. */
function check(field: string, raw: string): string {
  let text: string;
  try {
    text = decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    throw new RequestError("validation-error", `invalid ${field}`, [{ field, message: "malformed percent-encoding" }]);
  }
  const why = unstorable(text);
  if (why) throw new RequestError("validation-error", `invalid ${field}`, [{ field: field === "query" ? text.replace(/[\u0000\ud800-\udfff]/g, "?") : field, message: why }]);
  return text;
}
