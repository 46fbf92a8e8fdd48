import { describe, expect, it } from "vitest";
import { copyField } from "./copy-encoding.ts";

describe("copyField", () => {
  it("escapes the characters that would end a COPY field or row", () => {
    expect(copyField("a\tb\nc\rd\\e")).toBe("a\\tb\\nc\\rd\\\\e");
  });
  it("writes NULL as \\N and a literal backslash-N as text", () => {
    expect(copyField(null)).toBe("\\N");
    expect(copyField(undefined)).toBe("\\N");
    expect(copyField("\\N")).toBe("\\\\N");
  });
  it("writes numbers as they print", () => {
    expect(copyField(12.5)).toBe("12.5");
    expect(copyField(0)).toBe("0");
  });
});
