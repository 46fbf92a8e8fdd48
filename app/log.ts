import { pino } from "pino";

/** One structured JSON logger for every process; LOG_LEVEL sets its threshold. */
export const log = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { app: "failsight" },
  timestamp: pino.stdTimeFunctions.isoTime,
});
