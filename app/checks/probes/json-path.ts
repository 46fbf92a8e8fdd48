import { JSON_PATH } from "../../domain/check-spec.ts";

/** The value at `$.a.b[0]` in a parsed document, or `{ found: false }`. Pure. */
export function atJsonPath(document: unknown, path: string): { found: true; value: unknown } | { found: false } {
  if (!JSON_PATH.test(path)) return { found: false };
  let here: unknown = document;
  for (const step of path.slice(1).match(/\.[^.[]+|\[\d+\]/g) ?? []) {
    const key = step.startsWith("[") ? Number(step.slice(1, -1)) : step.slice(1);
    if (typeof key === "number" ? !Array.isArray(here) || key >= here.length : here === null || typeof here !== "object" || Array.isArray(here) || !Object.hasOwn(here, key)) {
      return { found: false };
    }
    here = (here as Record<string | number, unknown>)[key];
  }
  return { found: true, value: here };
}
