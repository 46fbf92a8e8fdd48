import { isRealCalendarTime, isStorableInstant } from "./text.ts";

// Time bounds as people type them: an ISO-8601 instant, epoch milliseconds, `now`, or
// `now` minus/plus a duration such as `now-15m`, `now-1h`, `now-7d`.

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const RELATIVE = /^now(?:([+-])(\d{1,6})([smhdw]))?$/;
const DURATION = /^(\d{1,6})([smhdw])$/;
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

export function parseTimeExpression(input: string, now: Date): Date | undefined {
  const text = input.trim();
  const relative = RELATIVE.exec(text);
  if (relative) {
    const [, sign, amount, unit] = relative;
    if (!sign) return new Date(now);
    const offset = Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
    return validDate(new Date(now.getTime() + (sign === "-" ? -offset : offset)));
  }
  if (/^\d{1,15}$/.test(text)) return validDate(new Date(Number(text)));
  // A date or local time without an offset is read as UTC, never as the server's zone.
  if (ISO.test(text) && isRealCalendarTime(text)) return validDate(new Date(/(Z|[+-]\d{2}:?\d{2})$/i.test(text) || text.length === 10 ? text : `${text}Z`));
  return undefined;
}

/** A duration like `90s`, `5m`, `24h` in milliseconds. */
export function parseDuration(input: string): number | undefined {
  const match = DURATION.exec(input.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Only instants PostgreSQL and Failsight store (1970 to 9999): `now-999999w` is no time at all. */
function validDate(date: Date): Date | undefined {
  return isStorableInstant(date.getTime()) ? date : undefined;
}
