import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { README_FILE, VALUES_FILE, documentedValues, valuesTable, withValuesTable } from "../../scripts/chart-values-docs.ts";

// The chart README's table of values is made from values.yaml; it must not drift from it.
describe("chart values documentation", () => {
  const values = readFileSync(VALUES_FILE, "utf8");

  it("has a `# --` comment for every value", () => {
    expect(documentedValues(values).filter((v) => !v.description).map((v) => v.path)).toEqual([]);
  });

  it("is the README's table as it stands (npm run docs:values rewrites it)", () => {
    const readme = readFileSync(README_FILE, "utf8");
    expect(withValuesTable(readme, values)).toBe(readme);
  });

  it("reads helm-docs comments, on a map's first key too, and walks undocumented maps", () => {
    const yaml = ["# header", "", "image:", "  # -- Where from.", "  repository: x", "  tag: \"\"", "# -- Whole object.", "resources:", "  limits: {memory: 1Mi}"].join("\n");
    expect(documentedValues(yaml)).toEqual([
      { path: "image.repository", default: "x", description: "Where from." },
      { path: "image.tag", default: "", description: undefined },
      { path: "resources", default: { limits: { memory: "1Mi" } }, description: "Whole object." },
    ]);
    expect(valuesTable(yaml)).toContain("| `resources` | `{\"limits\":{\"memory\":\"1Mi\"}}` | Whole object. |");
  });
});
