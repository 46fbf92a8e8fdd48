/**
 * A JSON array body cut in two near its middle, between two of its objects: the first half
 * closed with `]`, the second opened with `[`, each in a buffer of its own. Undefined when
 * the body is no array of objects written with `},{` (compact JSON, as shippers send it)
 * in its second half.
 *
 * The cut is found without reading the body: at the first `},{` from the middle. Such
 * bytes may lie inside a string or a nested array, but then the first half does not
 * parse: a cut inside a string leaves that string unterminated, and one inside a nested
 * value leaves more brackets open than the one `]` closes. So when the first half parses,
 * the cut was between two items of the top-level array, and the second half holds the
 * rest of them: both parse exactly when the body does, into its items in order. A caller
 * that finds either half refused parses the whole body, whose refusal explains itself.
 */
export function halveJsonArray(body: Buffer): [Buffer, Buffer] | undefined {
  if (body[firstNonSpace(body)] !== OPEN) return undefined;
  const seam = body.indexOf(SEAM, body.length >> 1);
  if (seam === -1) return undefined;
  const comma = seam + 1;
  const first = Buffer.allocUnsafeSlow(comma + 1);
  body.copy(first, 0, 0, comma);
  first[comma] = CLOSE;
  const second = Buffer.allocUnsafeSlow(body.length - comma);
  second[0] = OPEN;
  body.copy(second, 1, comma + 1);
  return [first, second];
}

const OPEN = 0x5b;
const CLOSE = 0x5d;
const SEAM = Buffer.from("},{");

/** JSON's whitespace: space, tab, line feed, carriage return. */
function firstNonSpace(body: Buffer): number {
  let i = 0;
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x09 || body[i] === 0x0a || body[i] === 0x0d)) i++;
  return i;
}
