import { describe, expect, it } from "vitest";
import { BatchItemCounter, countBatchItems, mayFlood, UNCOUNTED_CONTAINERS } from "./count-items.ts";
import { seededRandom } from "../test-support/seeded-random.ts";

describe("countBatchItems", () => {
  it.each([
    ["[]", 0],
    ["[{}]", 1],
    ['[{"a":[1,2,{"b":[3]}]},{"c":"x,y]}{"}]', 2],
    [' [ {} , {} ,\n{} ] ', 3],
    ['{"events":[{},{},{},{}]}', 4],
    ['{"events":[{"message":"a \\" , ] }"}]}', 1],
    ["[1, 2, \"three\"]", 3],
    ['{"service":"a"}', 0],
    ['[{"m":"ünïcødé , ] \\\\"},{"m":"日本語"}]', 2],
  ])("counts the events of %s as %i, whatever the strings and nesting inside", (text, n) => {
    expect(countBatchItems(text)).toBe(n);
    expect(JSON.parse(text)).toBeDefined();
  });

  it("counts the same when the body arrives in pieces cut anywhere, inside strings and escapes too", () => {
    const text = Buffer.from('{"events":[{"a":"x\\",y"},{"b":[1,{"c":"]"}]},"s",{"d":"é"}]}');
    for (let size = 1; size <= 7; size++) {
      const counter = new BatchItemCounter();
      for (let i = 0; i < text.length; i += size) counter.feed(text.subarray(i, i + size));
      expect(counter.count, `pieces of ${size}`).toBe(4);
    }
  });

  it("agrees with JSON.parse on random batches cut into random pieces", () => {
    const next = seededRandom(7);
    const strings = ['"plain"', '"esc \\" quote"', '"back \\\\"', '"\\\\\\""', '"] } , ["', '"ünï \\u0022 ✓"', '""'];
    const value = (depth: number): string => {
      const r = next();
      if (depth > 2 || r < 0.4) return strings[Math.floor(next() * strings.length)]!;
      if (r < 0.7) return `[${Array.from({ length: Math.floor(next() * 3) }, () => value(depth + 1)).join(",")}]`;
      return `{${Array.from({ length: Math.floor(next() * 3) }, (_, i) => `"k${i}":${value(depth + 1)}`).join(",")}}`;
    };
    for (let round = 0; round < 300; round++) {
      const items = Array.from({ length: Math.floor(next() * 6) }, () => `{"m":${value(0)},"n":${value(1)}}`);
      const text = next() < 0.5 ? `[${items.join(" , ")}]` : `{"events":[${items.join(",")}]}`;
      const bytes = Buffer.from(text);
      const counter = new BatchItemCounter();
      for (let i = 0; i < bytes.length; ) {
        const size = 1 + Math.floor(next() * 12);
        counter.feed(bytes.subarray(i, i + size));
        i += size;
      }
      const parsed = JSON.parse(text) as unknown[] | { events: unknown[] };
      expect({ text, count: counter.count }).toEqual({ text, count: (Array.isArray(parsed) ? parsed : parsed.events).length });
      expect(countBatchItems(text)).toBe(counter.count);
    }
  });
});

describe("mayFlood", () => {
  it("lets a body through uncounted while its objects and arrays, quoted ones too, stay within the bound", () => {
    const body = (objects: number, arrays = 0) => Buffer.from(`[${Array.from({ length: objects }, () => '{"m":"x"}').concat(Array.from({ length: arrays }, () => '"["')).join(",")}]`);
    // The outer array is one of them.
    expect(mayFlood(body(UNCOUNTED_CONTAINERS - 1))).toBe(false);
    expect(mayFlood(body(UNCOUNTED_CONTAINERS))).toBe(true);
    expect(mayFlood(body(UNCOUNTED_CONTAINERS - 2, 1))).toBe(false);
    expect(mayFlood(body(UNCOUNTED_CONTAINERS - 2, 2))).toBe(true);
    expect(mayFlood(Buffer.from(`[${"1,".repeat(100_000)}1]`))).toBe(false);
  });
});
