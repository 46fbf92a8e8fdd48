import { SEVERITIES, type Severity } from "./vocabulary.ts";

/** The level of an event sent without one, in every ingest format. */
export const DEFAULT_SEVERITY: Severity = "info";

/** Spellings log shippers commonly send, folded onto ours. */
const ALIASES: Record<string, Severity> = { warning: "warn", err: "error", critical: "fatal", panic: "fatal" };

/**
 * Every accepted spelling, lower case, in a Map: a plain object answered "constructor"
 * and "__proto__" with Object's own members, which then failed the insert as a 500.
 */
const SPELLINGS = new Map<string, Severity>([...SEVERITIES.map((s) => [s, s] as const), ...Object.entries(ALIASES)]);

export function parseSeverity(input: string): Severity | undefined {
  // Most events spell it exactly: one lookup, no new strings.
  return SPELLINGS.get(input) ?? SPELLINGS.get(input.trim().toLowerCase());
}
