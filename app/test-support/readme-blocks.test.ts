import { expect, it } from "vitest";
import { codeBlocks } from "./readme-blocks.ts";

it("finds fenced blocks with their language, tags, line and section, and nothing inside them as a heading", () => {
  const md = ["# Top", "text", "## Quick start", "```sh server", "npm start", "```", "", "````sh", "# not a heading", "```", "````", "```json", "{}", "```"].join("\n");
  expect(codeBlocks(md)).toEqual([
    { line: 4, section: "Quick start", lang: "sh", tags: ["server"], code: "npm start" },
    { line: 8, section: "Quick start", lang: "sh", tags: [], code: "# not a heading\n```" },
    { line: 12, section: "Quick start", lang: "json", tags: [], code: "{}" },
  ]);
});
