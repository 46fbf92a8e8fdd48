import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { imageApiFlags, imageNodeOptions } from "../test-support/image-node-options.ts";

const scripts = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { scripts: Record<string, string> }).scripts;

describe("npm start and npm run start:api", () => {
  it("run the API with the image's heap settings: its NODE_OPTIONS and its CMD's flags", () => {
    for (const name of ["start", "start:api"]) {
      const words = scripts[name]!.split(" ");
      expect(words[0], name).toBe("node");
      expect(words.slice(1, -1), name).toEqual([...imageNodeOptions().split(" "), ...imageApiFlags()]);
    }
  });
});
