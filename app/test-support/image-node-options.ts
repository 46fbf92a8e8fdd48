import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** NODE_OPTIONS as the image sets it (the Dockerfile's ENV), so benches and tests run the API as a pod runs it. In app/ so the image's type check, which copies app/ only, sees it. */
export function imageNodeOptions(): string {
  const dockerfile = readFileSync(fileURLToPath(new URL("../../Dockerfile", import.meta.url)), "utf8");
  const value = /^ENV NODE_OPTIONS=(.*)$/m.exec(dockerfile)?.[1];
  if (!value) throw new Error("the Dockerfile sets no NODE_OPTIONS");
  return value.replace(/^"(.*)"$/, "$1");
}
