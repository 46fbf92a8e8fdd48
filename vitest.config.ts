import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["app/**/*.test.ts", "charts/tests/**/*.test.ts", "bench/**/*.test.ts"],
    globalSetup: ["app/test-support/global-setup.ts"],
    // Database tests share one server; two workers match the two cores CI has.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
