import { severity } from "../db/schema.ts";

/** Ordered least to most severe; the order the database enum declares. */
export const SEVERITIES = severity.enumValues;
export type Severity = (typeof SEVERITIES)[number];

/** Spellings log shippers commonly send, folded onto ours. */
const ALIASES: Record<string, Severity> = { warning: "warn", err: "error", critical: "fatal", panic: "fatal" };

export function parseSeverity(input: string): Severity | undefined {
  const lower = input.trim().toLowerCase();
  return (SEVERITIES as readonly string[]).includes(lower) ? (lower as Severity) : ALIASES[lower];
}
