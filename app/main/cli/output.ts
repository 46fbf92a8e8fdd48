import type { Options } from "./commands.ts";

/**
 * What a command answers: a list as a table on a terminal (JSON when piped, for scripts),
 * anything else as JSON; a string (a key) as it is. `--key-only` prints just a new key.
 */
export function printResult(result: unknown, options: Options): void {
  if (options["key-only"] && typeof result === "object" && result !== null && "key" in result) return void console.log((result as { key: string }).key);
  if (typeof result === "string") return void console.log(result);
  if (Array.isArray(result) && process.stdout.isTTY) return void console.log(table(result as Record<string, unknown>[]));
  console.log(JSON.stringify(result, null, 2));
}

function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return "(none)";
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === null || v === undefined ? "" : Array.isArray(v) ? v.join(",") : typeof v === "object" ? JSON.stringify(v) : String(v));
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map((row) => row[i]!.length))));
  const line = (values: string[]) => values.map((v, i) => (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}
