import path from "node:path";
import type { Reporter, TestModule } from "vitest/node";

/**
 * Lists every skipped test by file and full name at the end of a run: the default reporter
 * counts them per file only, and a skip (no helm, no API server, no promtool) is something
 * a reader of the run must see by name. Each skipped test's name says what it needs.
 */
export default class SkippedReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const skipped = testModules.flatMap((m) =>
      [...m.children.allTests()].filter((t) => t.result().state === "skipped").map((t) => `  ${path.relative(process.cwd(), m.moduleId)} > ${t.fullName}`),
    );
    if (skipped.length) console.log(`\nSkipped (${skipped.length}):\n${skipped.join("\n")}\n`);
  }
}
