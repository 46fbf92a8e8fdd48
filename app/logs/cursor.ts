import { z } from "zod";
import { isRealCalendarTime, isStorableInstant } from "../domain/text.ts";

// The cursor is opaque to clients but not secret: base64url JSON holding the position of
// the last row returned, the query it belongs to, and the bounds frozen on the first page
// (so `now-1h` means the same instant on every page).

const CursorSchema = z.strictObject({
  v: z.literal(1),
  /** Fingerprint of the filters and order of the query that produced the cursor. */
  f: z.string(),
  /** Last row returned: its timestamp to the microsecond, and its id. */
  ts: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/).refine((ts) => isRealCalendarTime(ts) && isStorableInstant(Date.parse(ts))),
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** Highest event id that existed when the first page was read. */
  s: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  from: z.number().refine(isStorableInstant).optional(),
  to: z.number().refine(isStorableInstant).optional(),
});

export type Cursor = z.infer<typeof CursorSchema>;

export function encodeCursor(cursor: Omit<Cursor, "v">): string {
  return Buffer.from(JSON.stringify({ v: 1, ...cursor })).toString("base64url");
}

export function decodeCursor(text: string): Cursor | undefined {
  try {
    const result = CursorSchema.safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
