/** Inside a quoted array element only these two are special. */
const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

/**
 * One array literal, gathered as the pieces of its text and joined once: a string built
 * with `+=` per element was a rope of tens of thousands of nodes per column, most of a
 * worker's garbage per batch, flattened again when the batch crossed to the event loop
 * (#15). The pieces are the values themselves (strings as JSON.parse made them, numbers)
 * between constant separators, so an element costs two or three array slots and no new
 * string.
 */
export class LiteralParts {
  private readonly parts: (string | number)[] = [];
  text(v: string | null | undefined): void {
    if (v == null) this.parts.push(this.parts.length ? ",NULL" : "NULL");
    else this.parts.push(this.parts.length ? ',"' : '"', NEEDS_ESCAPE.test(v) ? v.replace(ESCAPED, "\\$&") : v, '"');
  }
  number(v: number | null | undefined): void {
    if (v == null) this.parts.push(this.parts.length ? ",NULL" : "NULL");
    else this.parts.push(this.parts.length ? "," : "", v);
  }
  /** The literal: `{...}`. */
  toString(): string {
    return `{${this.parts.join("")}}`;
  }
}
