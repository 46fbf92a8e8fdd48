import { z } from "@hono/zod-openapi";

/**
 * The name of a service, team, user or error code: printable ASCII without spaces, so it
 * reads the same in a URL, a Prometheus label and a shell.
 */
export const PRINTABLE_NAME = /^[\x21-\x7e]+$/;
const PRINTABLE_NAME_RULE = "must be printable ASCII without spaces";

export const nameSchema = (max = 128) => z.string().min(1).max(max).regex(PRINTABLE_NAME, PRINTABLE_NAME_RULE);
