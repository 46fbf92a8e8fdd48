import { describe, expect, it } from "vitest";
import { halveJsonArray } from "./halve-json-array.ts";

const parsed = (b: Buffer): unknown => JSON.parse(b.toString("utf8"));
/** The halves' items in order, or undefined when either half is not JSON (the caller then parses the body whole). */
function rejoined(body: string): unknown[] | undefined {
  const halves = halveJsonArray(Buffer.from(body));
  if (!halves) throw new Error("not cut");
  try {
    return [...(parsed(halves[0]) as unknown[]), ...(parsed(halves[1]) as unknown[])];
  } catch {
    return undefined;
  }
}

describe("a JSON array body cut in two", () => {
  it("is cut between two of its objects at or past the middle, each half an array of its own", () => {
    const items = Array.from({ length: 101 }, (_, i) => ({ service: "a", message: `event ${i}`, status: 200 }));
    const body = Buffer.from(JSON.stringify(items));
    const [first, second] = halveJsonArray(body)!;
    expect(first.length + second.length).toBe(body.length + 1);
    expect(first.length).toBeGreaterThanOrEqual(body.length / 2);
    expect(first.length).toBeLessThan(body.length / 2 + 100);
    expect([...(parsed(first) as unknown[]), ...(parsed(second) as unknown[])]).toEqual(items);
    // Buffers of their own, which a worker can take: not views of the body.
    expect(first.byteOffset === 0 && first.buffer.byteLength === first.length).toBe(true);
    expect(second.byteOffset === 0 && second.buffer.byteLength === second.length).toBe(true);
  });

  it("cut where `},{` is inside a string or a nested array, has a first half that is not JSON", () => {
    // Every event's message and attributes hold the seam, so the first one past the middle
    // is never between two events; the cut must then be refused, never read as other items.
    const inString = JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ message: `x${i}${"},{".repeat(200)}` })));
    const inNested = JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ attributes: { list: Array.from({ length: 200 }, (_, j) => ({ i, j })) } })));
    const escapedQuote = JSON.stringify(Array.from({ length: 40 }, () => ({ message: '\\"},{"'.repeat(200) })));
    for (const body of [inString, inNested, escapedQuote]) expect(rejoined(body)).toBeUndefined();
  });

  it("joined, is the body's items wherever the cut falls: any body, any middle", () => {
    // Bodies of events whose strings hold quotes, backslashes, brackets and seams, of
    // every length up to a few hundred: the halves either are not both JSON or hold the
    // body's items in order.
    const pieces = ["},{", '"', "\\", "[", "]", "{", "}", ",", "a", "é", '\\"},{"', "\n"];
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const text = () => Array.from({ length: Math.floor(random() * 8) }, () => pieces[Math.floor(random() * pieces.length)]).join("");
    let cutWell = 0;
    let refused = 0;
    for (let n = 2; n < 300; n++) {
      const items = Array.from({ length: n }, () => (random() < 0.3 ? { message: text(), attributes: { list: [{ a: text() }, { b: [text()] }] } } : { message: text() }));
      const body = JSON.stringify(items);
      if (!halveJsonArray(Buffer.from(body))) continue;
      const items2 = rejoined(body);
      if (items2 === undefined) refused++;
      else {
        cutWell++;
        expect(items2).toEqual(items);
      }
    }
    expect(cutWell).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(10);
  });

  it("is not cut unless it is an array with a `},{` past its middle", () => {
    const cut = (body: string) => halveJsonArray(Buffer.from(body));
    expect(cut(JSON.stringify({ events: [{ a: 1 }, { a: 2 }, { a: 3 }] }))).toBeUndefined();
    expect(cut(JSON.stringify([{ a: 1 }, { a: 2 }, { a: 3 }], null, 2))).toBeUndefined();
    expect(cut('[{"a":1},{"a":2}, {"a":3}, {"a":4}]')).toBeUndefined();
    expect(cut('[{"a":1}]')).toBeUndefined();
    expect(cut('"[{},{}]"')).toBeUndefined();
    expect(cut(' \n[{"a":1},{"a":2},{"a":3}]')).toBeDefined();
  });
});
