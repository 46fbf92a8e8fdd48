import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // FAILSIGHT_TEST_FILES runs one fixture instead of the suite: the test of `npm test`
    // itself (app/test-support/test-command.test.ts) uses it to run deliberate failures.
    include: process.env.FAILSIGHT_TEST_FILES ? [process.env.FAILSIGHT_TEST_FILES] : ["app/**/*.test.ts", "charts/tests/**/*.test.ts", "bench/**/*.test.ts"],
    globalSetup: ["app/test-support/global-setup.ts"],
    // The default reporter counts skipped tests per file; this one names each.
    reporters: ["default", "./app/test-support/skipped-reporter.ts"],
    // Database tests share one server; two workers match the two cores CI has.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
