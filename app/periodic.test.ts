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

describe("startPeriodic's runNow", () => {
  // A run under way may have read before what prompted the ask: the status tracker dropped
  // a check's changed outcome that arrived mid-run, and recorded it an interval later.
  it("asked during a run, runs once more after it, however often it was asked, and not after stop", async () => {
    const starts: number[] = [];
    const ends: number[] = [];
    let release!: () => void;
    const job = startPeriodic(
      3_600_000,
      async () => {
        starts.push(performance.now());
        await new Promise<void>((r) => (release = r));
        ends.push(performance.now());
      },
      () => {},
    );
    expect(starts).toHaveLength(1);
    job.runNow();
    job.runNow();
    await new Promise((r) => setTimeout(r, 10));
    expect(starts).toHaveLength(1);
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(starts).toHaveLength(2);
    expect(starts[1]).toBeGreaterThanOrEqual(ends[0]!);
    release();
    await new Promise((r) => setTimeout(r, 10));
    // Nothing asked during the second run: no third.
    expect(starts).toHaveLength(2);
    job.runNow();
    expect(starts).toHaveLength(3);
    job.runNow();
    const stopped = job.stop();
    release();
    await stopped;
    await new Promise((r) => setTimeout(r, 10));
    expect(starts).toHaveLength(3);
  });

  // A caller told after shutdown (a check outcome landing as the API stops) must not start
  // work against pools that are closing.
  it("asked once stopped, with no run under way, does not run", async () => {
    let runs = 0;
    const job = startPeriodic(3_600_000, async () => void runs++, () => {});
    await job.stop();
    expect(runs).toBe(1);
    job.runNow();
    await new Promise((r) => setTimeout(r, 10));
    expect(runs).toBe(1);
  });
});
