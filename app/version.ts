import { existsSync, readFileSync } from "node:fs";

/**
 * Failsight's version, from its package.json: beside app/ in the sources, two folders up
 * from the compiled dist/app/ in the image.
 */
export const VERSION: string = (() => {
  for (const candidate of ["../package.json", "../../package.json"]) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(url)) return (JSON.parse(readFileSync(url, "utf8")) as { name?: string; version?: string }).version ?? "unknown";
  }
  return "unknown";
})();
