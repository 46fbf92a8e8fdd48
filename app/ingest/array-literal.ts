/**
 * One array literal, gathered value by value and written once by arrayLiteral: one array
 * slot per element, and the quoting and escaping done by V8's native JSON serialiser.
 * Pushing each element's quote, value and separator and joining the pieces cost the parse
 * worker 40 % of its columns' time (#15). A string built with `+=` per element is no
 * better: a rope of tens of thousands of nodes per column, flattened again when the batch
 * crosses to the event loop.
 */
export class ArrayLiteral {
  private readonly values: (string | number | null)[] = [];
  /** The next element; undefined and null are NULL. */
  add(v: string | number | null | undefined): void {
    this.values.push(v ?? null);
  }
  /** The literal: `{...}`. */
  toString(): string {
    return arrayLiteral(this.values);
  }
}

/**
 * `values` as a PostgreSQL array literal. JSON.stringify quotes every string and escapes
 * `"` and `\` with a backslash, as an array literal's quoted element does; `null` is NULL
 * in any case, and numbers are written as float8in and int4in read them (finite ones:
 * ingest refuses the others). What differs is the escapes JSON writes for control
 * characters (`\n`, `\u001f`): in an array literal a backslash only keeps the character
 * after it, so those are written back as the characters themselves, which a quoted
 * element holds as they are.
 */
export function arrayLiteral(values: readonly (string | number | null)[]): string {
  const json = JSON.stringify(values);
  const body = CONTROL_ESCAPE.test(json) ? json.replace(ESCAPE, unescapeControl) : json;
  return `{${body.slice(1, -1)}}`;
}

/** Any escape but `\"` and `\\` (a false positive after an escaped backslash only costs the replace). */
const CONTROL_ESCAPE = /\\[bfnrtu]/;
/** Every escape, left to right, so that `\\n` is an escaped backslash and an `n`. */
const ESCAPE = /\\(?:u([0-9a-fA-F]{4})|([bfnrt"\\]))/g;
const CONTROL: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

function unescapeControl(escape: string, hex: string | undefined, char: string | undefined): string {
  if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
  return char === '"' || char === "\\" ? escape : CONTROL[char!]!;
}
