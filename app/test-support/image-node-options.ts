import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// How the image runs the API, read from the Dockerfile so benches and tests run it as a pod
// does. In app/ so the image's type check, which copies app/ only, sees it.

const dockerfile = () => readFileSync(fileURLToPath(new URL("../../Dockerfile", import.meta.url)), "utf8");

/** NODE_OPTIONS as the image sets it (the Dockerfile's ENV). */
export function imageNodeOptions(): string {
  const value = /^ENV NODE_OPTIONS=(.*)$/m.exec(dockerfile())?.[1];
  if (!value) throw new Error("the Dockerfile sets no NODE_OPTIONS");
  return value.replace(/^"(.*)"$/, "$1");
}

/** The image's CMD, the API's command line: `node`, its flags, the entry point. */
export function imageApiCommand(): string[] {
  const value = /^CMD (\[.*\])$/m.exec(dockerfile())?.[1];
  if (!value) throw new Error("the Dockerfile has no CMD in exec form");
  return JSON.parse(value) as string[];
}

/** The flags the image's CMD gives node before the entry point: the ones NODE_OPTIONS refuses. */
export function imageApiFlags(): string[] {
  return imageApiCommand().slice(1, -1);
}
