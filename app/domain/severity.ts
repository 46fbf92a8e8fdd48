import { SEVERITIES, type Severity } from "./vocabulary.ts";

/** Spellings log shippers commonly send, folded onto ours. */
const ALIASES: Record<string, Severity> = { warning: "warn", err: "error", critical: "fatal", panic: "fatal" };

export function parseSeverity(input: string): Severity | undefined {
  const lower = input.trim().toLowerCase();
  return (SEVERITIES as readonly string[]).includes(lower) ? (lower as Severity) : ALIASES[lower];
}
