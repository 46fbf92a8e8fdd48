import { describe, expect, it } from "vitest";
import { startPeriodic } from "./periodic.ts";

describe("startPeriodic", () => {
  it("runs at once and on the interval, never overlapping, survives a failing run, and stop waits for the run under way", async () => {
    let runs = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const errors: unknown[] = [];
    const job = startPeriodic(
      10,
      async () => {
        runs++;
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((r) => setTimeout(r, 25)); // longer than the interval
        concurrent--;
        if (runs === 2) throw new Error("second run fails");
      },
      (e) => errors.push(e),
    );
    // Wait for the runs, not for a wall-clock window a loaded 2-core machine may not keep.
    for (let waited = 0; runs < 3 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    await job.stop();
    const afterStop = runs;
    expect(concurrent).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBe(afterStop);
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(maxConcurrent).toBe(1);
    expect(errors).toHaveLength(1);
  });
});
