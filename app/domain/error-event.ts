import type { Severity } from "./vocabulary.ts";

/**
 * What counts as an error, everywhere Failsight counts them (/status, the Prometheus
 * metrics, and so the SLO alerts): a 5xx status, or, for an event without a status, level
 * error or fatal. A 4xx is the caller's mistake, not the service's.
 */
export function isErrorEvent(status: number | null | undefined, level: Severity): boolean {
  return status != null ? status >= 500 : level === "error" || level === "fatal";
}

/** The same rule in SQL, for queries over log_events. */
export const IS_ERROR_SQL = `(http_status >= 500 OR (http_status IS NULL AND level >= 'error'))`;
