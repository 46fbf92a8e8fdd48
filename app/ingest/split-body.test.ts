import { describe, expect, it } from "vitest";
import { seededRandom } from "../test-support/seeded-random.ts";
import { splitJsonArray } from "./split-body.ts";

// The cut is trusted only when both halves parse (split-body.ts); these hold it to the
// body: the halves' items, in order, are the body's, whatever the strings hold.
const cutOf = (text: string, headBytes: number) => {
  const cut = splitJsonArray(Buffer.from(text), headBytes);
  return cut && { head: JSON.parse(cut.head.toString()) as unknown[], tail: JSON.parse(cut.tail.toString()) as unknown[] };
};

/** Strings made of what could fool a scanner: punctuation, quotes, backslashes, multi-byte characters. */
function awkwardString(random: () => number): string {
  const pieces = [",", "[", "]", "{", "}", '"', "\\", "\\\\", '\\"', "é", "日本", "😀", " ", "x", "\n", "\u2028"];
  return Array.from({ length: Math.floor(random() * 12) }, () => pieces[Math.floor(random() * pieces.length)]!).join("");
}

describe("cutting a JSON array body in two", () => {
  it("gives two arrays whose items, in order, are the body's, for bodies of awkward strings and nesting", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const items = Array.from({ length: 2 + Math.floor(random() * 30) }, (_, i) => ({
        service: awkwardString(random),
        message: awkwardString(random),
        attributes: { nested: [awkwardString(random), { deeper: [i, awkwardString(random)] }], n: i },
      }));
      const compact = random() < 0.5;
      const text = compact ? JSON.stringify(items) : ` \n${JSON.stringify(items, null, 2)}\n`;
      const at = Math.floor(random() * Buffer.byteLength(text));
      const cut = cutOf(text, at);
      if (!cut) {
        // Only when the comma before the last item lies before `at` (counted in bytes).
        if (compact) expect(Buffer.byteLength(text) - 2 - Buffer.byteLength(JSON.stringify(items.at(-1))), `seed ${seed}`).toBeLessThan(at);
        continue;
      }
      expect(cut.head.length, `seed ${seed}`).toBeGreaterThan(0);
      expect(cut.tail.length, `seed ${seed}`).toBeGreaterThan(0);
      expect([...cut.head, ...cut.tail], `seed ${seed}`).toEqual(items);
    }
  });

  it("cuts at the first comma between items at or past the given byte, not one inside an item", () => {
    const text = '[{"m":"a,b"},{"m":[1,2]},{"m":"c"}]';
    expect(cutOf(text, 0)).toEqual({ head: [{ m: "a,b" }], tail: [{ m: [1, 2] }, { m: "c" }] });
    expect(cutOf(text, text.indexOf("[1,2]"))).toEqual({ head: [{ m: "a,b" }, { m: [1, 2] }], tail: [{ m: "c" }] });
  });

  it("does not cut what is not an array of two items or more", () => {
    for (const text of ['{"events":[{},{}]}', "[]", '[{"a":1}]', '"[1,2]"', "", '["unterminated,', '[{"a":"\\"},{"b":1}]']) {
      expect(splitJsonArray(Buffer.from(text), 0), text).toBeUndefined();
    }
  });

  it("leaves a malformed body's flaw in a half, where the parse finds it", () => {
    for (const text of ["[,{}]", "[{},]", "[{},,{}]", "[{}]]", '[{}, {"a":1}} ]', "[1,2", "[1,2]x"]) {
      const cut = splitJsonArray(Buffer.from(text), 0);
      if (!cut) continue;
      const halves = [cut.head, cut.tail].map((h) => {
        try {
          return (JSON.parse(h.toString()) as unknown[]).length;
        } catch {
          return 0;
        }
      });
      expect(halves.includes(0), text).toBe(true);
    }
  });
});
