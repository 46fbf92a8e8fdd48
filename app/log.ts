import { pino } from "pino";

/** `json`: one JSON object per line, for log collectors; `pretty`: one coloured line, for a person; `auto`: pretty on a terminal. */
export const LOG_FORMATS = ["auto", "json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const LEVELS: Record<number, { name: string; colour: string }> = {
  10: { name: "TRACE", colour: "90" },
  20: { name: "DEBUG", colour: "90" },
  30: { name: "INFO ", colour: "32" },
  40: { name: "WARN ", colour: "33" },
  50: { name: "ERROR", colour: "31" },
  60: { name: "FATAL", colour: "41;97" },
};
/** pino's own fields, shown in the line's head rather than as key=value. */
const HEAD = new Set(["level", "time", "msg", "app", "pid", "hostname", "err"]);

/** One pino line as a person reads it: `10:15:02 WARN  message  key=value`, and an error's stack below. */
export function prettyLine(json: string, colour: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const paint = (code: string, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  const level = LEVELS[entry.level as number] ?? { name: String(entry.level), colour: "0" };
  const time = typeof entry.time === "string" ? entry.time.slice(11, 19) : "";
  const fields = Object.entries(entry)
    .filter(([k, v]) => !HEAD.has(k) && v !== undefined)
    .map(([k, v]) => `${paint("2", `${k}=`)}${typeof v === "string" && !/\s/.test(v) ? v : JSON.stringify(v)}`);
  const err = entry.err as { message?: string; stack?: string } | undefined;
  const stack = err ? `\n${paint("2", (err.stack ?? err.message ?? "").replace(/^/gm, "    "))}` : "";
  return `${paint("2", time)} ${paint(level.colour, level.name)} ${entry.msg ?? ""}${fields.length ? `  ${fields.join(" ")}` : ""}${stack}\n`;
}

/**
 * Where lines go: stdout, synchronously, so the last line before an exit (a fatal start-up
 * error) is never lost in a buffer. The format can change once configuration is read.
 */
const out = {
  pretty: decidePretty(process.env.LOG_FORMAT as LogFormat | undefined),
  write(line: string) {
    process.stdout.write(this.pretty ? prettyLine(line, process.stdout.isTTY === true && !process.env.NO_COLOR) : line);
  },
};

function decidePretty(format: LogFormat | undefined): boolean {
  return format === "pretty" || ((format ?? "auto") === "auto" && process.stdout.isTTY === true);
}

/** One logger for every process; entry points call configureLog once the environment is read. */
export const log = pino({ level: "info", base: { app: "failsight" }, timestamp: pino.stdTimeFunctions.isoTime }, out);

export function configureLog(settings: { level: string; format: LogFormat }) {
  log.level = settings.level;
  out.pretty = decidePretty(settings.format);
}

/** Whether lines go to a person (pretty) rather than a collector (JSON). */
export const logsForPeople = () => out.pretty;
