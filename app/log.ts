import { pino } from "pino";

/** One structured JSON logger for every process; entry points set `log.level` from config. */
export const log = pino({
  level: "info",
  base: { app: "failsight" },
  timestamp: pino.stdTimeFunctions.isoTime,
});
