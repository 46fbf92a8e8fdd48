// What PostgreSQL can store as text or jsonb: no U+0000, and well-formed UTF-16 (a lone
// surrogate has no UTF-8 form; PostgreSQL refuses it in jsonb and text alike). Checked at
// the edge, so bad input is a 400 naming the field, never a failed statement (a 500).

const LONE_SURROGATE_OR_NUL = /[\u0000]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `text` cannot be stored, or undefined when it can. */
export function unstorable(text: string): string | undefined {
  const bad = LONE_SURROGATE_OR_NUL.exec(text);
  if (!bad) return undefined;
  return bad[0] === "\u0000" ? "must not contain NUL characters" : "must not contain a lone UTF-16 surrogate";
}

/** Deepest nesting accepted in free-form JSON (attributes): deeper is almost always an accident or an attack. */
export const MAX_JSON_DEPTH = 32;

/**
 * Why a parsed JSON value cannot be stored as jsonb (a bad key or string at any depth, or
 * nesting deeper than MAX_JSON_DEPTH), or undefined. Iterative: a value nested thousands
 * deep must not overflow the stack that checks it.
 */
export function unstorableJson(value: unknown): string | undefined {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v === "string") {
      const why = unstorable(v);
      if (why) return why;
    } else if (v !== null && typeof v === "object") {
      if (depth > MAX_JSON_DEPTH) return `must not nest deeper than ${MAX_JSON_DEPTH} levels`;
      for (const [k, child] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
        if (typeof k === "string") {
          const why = unstorable(k);
          if (why) return `keys ${why}`;
        }
        stack.push([child, depth + 1]);
      }
    }
  }
  return undefined;
}

const ISO_PARTS = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/;

/** True when the date and time fields of an ISO-8601 text name a real instant (no February 30, no 25:00). */
export function isRealCalendarTime(text: string): boolean {
  const m = ISO_PARTS.exec(text);
  if (!m) return false;
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1).map((x) => (x === undefined ? undefined : Number(x))) as number[];
  const daysInMonth = new Date(Date.UTC(y!, mo!, 0)).getUTCDate();
  return mo! >= 1 && mo! <= 12 && d! >= 1 && d! <= daysInMonth && h! <= 23 && mi! <= 59 && s! <= 59;
}

/** The instants Failsight stores and queries: 1970 to 9999. Outside is garbage or a unit mix-up. */
export const MIN_INSTANT_MS = Date.UTC(1970, 0, 1);
export const MAX_INSTANT_MS = Date.UTC(10000, 0, 1) - 1;
export const isStorableInstant = (ms: number) => Number.isFinite(ms) && ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS;
