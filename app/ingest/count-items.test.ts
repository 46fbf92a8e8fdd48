import { describe, expect, it } from "vitest";
import { countBatchItems } from "./count-items.ts";

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
  ])("counts the events of %s as %i, whatever the strings and nesting inside", (text, n) => {
    expect(countBatchItems(text, 10)).toBe(n);
    expect(JSON.parse(text)).toBeDefined();
  });

  it("stops past the limit without reading the rest", () => {
    expect(countBatchItems(`[${"{},".repeat(1_000_000)}{}]`, 5_000)).toBe(5_001);
  });
});
