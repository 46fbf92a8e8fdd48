import { describe, expect, it } from "vitest";
import { BatchItemCounter, countBatchItems } from "./count-items.ts";

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
});
