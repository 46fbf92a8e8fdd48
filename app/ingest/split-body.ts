/**
 * A JSON array body cut in two at its first top-level comma at or past `headBytes`: the
 * head (the items before it) and the tail (the rest), each a JSON array of its own, so the
 * head can be parsed and written while the tail is parsed (intake.ts). Undefined when the
 * body is not a JSON array or has no such comma. Bytes, like count-items.ts: no byte of a
 * multi-byte UTF-8 character is JSON punctuation. The cut is only ever trusted when both
 * halves parse: if `[A]` and `[B]` are JSON arrays of at least one item, `[A,B]` is the
 * body; anything else (an empty half, a malformed body) fails one of them, and the caller
 * reads the body whole.
 */
export function splitJsonArray(body: Uint8Array, headBytes: number): { head: Buffer; tail: Buffer } | undefined {
  const n = body.length;
  let i = 0;
  while (i < n && isSpace(body[i]!)) i++;
  if (body[i] !== 0x5b) return undefined;
  i++;
  let depth = 1;
  while (i < n) {
    const b = body[i]!;
    if (b === 0x22) {
      i = endOfString(body, i + 1);
      if (i < 0) return undefined;
      continue;
    }
    if (b === 0x5b || b === 0x7b) depth++;
    else if (b === 0x5d || b === 0x7d) {
      if (--depth === 0) return undefined;
    } else if (b === 0x2c && depth === 1 && i >= headBytes) {
      const head = Buffer.allocUnsafe(i + 1);
      head.set(body.subarray(0, i));
      head[i] = 0x5d;
      const tail = Buffer.allocUnsafe(n - i);
      tail[0] = 0x5b;
      tail.set(body.subarray(i + 1), 1);
      return { head, tail };
    }
    i++;
  }
  return undefined;
}

const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** The index just past the quote that closes the string whose contents start at `from`, or -1. */
function endOfString(body: Uint8Array, from: number): number {
  let i = from;
  for (;;) {
    // Native searches over the contents, as count-items.ts: most of a body is strings.
    const quote = body.indexOf(0x22, i);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let j = quote - 1; j >= from && body[j] === 0x5c; j--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}
