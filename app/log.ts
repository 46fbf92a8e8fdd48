import { pino } from "pino";

/**
 * One structured JSON logger for every process; entry points set `log.level` from config.
 * Writes are synchronous so the last line before an exit (a fatal start-up error) is never
 * lost in a buffer; Failsight logs events of its own, not per request, so this costs little.
 */
export const log = pino(
  { level: "info", base: { app: "failsight" }, timestamp: pino.stdTimeFunctions.isoTime },
  pino.destination({ dest: 1, sync: true }),
);
