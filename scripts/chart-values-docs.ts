// The chart README's table of values, made from values.yaml's `# --` comments (helm-docs'
// convention), so the two cannot drift: `npm run docs:values` rewrites the table between
// the README's markers, and charts/tests/values-docs.test.ts fails when it is stale or
// when a value has no `# --` comment.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isMap, parseDocument, type YAMLMap } from "yaml";

export const VALUES_FILE = fileURLToPath(new URL("../charts/failsight/values.yaml", import.meta.url));
export const README_FILE = fileURLToPath(new URL("../charts/failsight/README.md", import.meta.url));
export const MARKERS = { start: "<!-- values:start (npm run docs:values) -->", end: "<!-- values:end -->" } as const;

export type ValueDoc = { path: string; default: unknown; description: string | undefined };

/**
 * Every documented value, in file order: a key with a `# --` comment is one row (its whole
 * value the default, as helm-docs does); a key without one is a map whose keys are walked,
 * or, if it is a leaf, a row without a description.
 */
export function documentedValues(yamlText: string): ValueDoc[] {
  const rows: ValueDoc[] = [];
  const walk = (map: YAMLMap, prefix: string) => {
    map.items.forEach((pair, index) => {
      const key = String((pair.key as { value: unknown }).value);
      const path = prefix ? `${prefix}.${key}` : key;
      // yaml attaches a comment before a map's first key to the map itself.
      const comment = (pair.key as { commentBefore?: string }).commentBefore ?? (index === 0 ? map.commentBefore : undefined);
      const line = comment
        ?.split("\n")
        .map((l) => l.trim())
        .reverse()
        .find((l) => l.startsWith("-- "));
      const value = pair.value as { toJSON?: () => unknown } | null;
      if (!line && isMap(pair.value)) return walk(pair.value, path);
      rows.push({ path, default: value?.toJSON ? value.toJSON() : value, description: line?.slice(3) });
    });
  };
  walk(parseDocument(yamlText).contents as YAMLMap, "");
  return rows;
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

export function valuesTable(yamlText: string): string {
  const rows = documentedValues(yamlText).map((v) => `| \`${v.path}\` | \`${cell(JSON.stringify(v.default) ?? "null")}\` | ${cell(v.description ?? "")} |`);
  return ["| value | default | meaning |", "|---|---|---|", ...rows].join("\n");
}

/** The README with its table replaced by the one values.yaml makes. */
export function withValuesTable(readme: string, yamlText: string): string {
  const start = readme.indexOf(MARKERS.start);
  const end = readme.indexOf(MARKERS.end);
  if (start < 0 || end < start) throw new Error(`${README_FILE}: no ${MARKERS.start} … ${MARKERS.end} markers`);
  return `${readme.slice(0, start + MARKERS.start.length)}\n${valuesTable(yamlText)}\n${readme.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(README_FILE, withValuesTable(readFileSync(README_FILE, "utf8"), readFileSync(VALUES_FILE, "utf8")));
  console.log(`wrote the values table of ${README_FILE}`);
}
