import { describe, expect, it } from "vitest";
import { WorkQueue, backoffDelay } from "./work-queue.ts";

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe("WorkQueue", () => {
  it("runs one key at a time, with at most one more run queued behind it", async () => {
    const runs: string[] = [];
    let release!: () => void;
    const queue = new WorkQueue(async (key) => {
      runs.push(key);
      if (runs.length === 1) await new Promise<void>((r) => (release = r));
    });
    queue.add("a");
    await tick();
    queue.add("a");
    queue.add("a"); // folded into the one already pending
    queue.add("b"); // another key runs beside it
    await tick();
    expect(runs).toEqual(["a", "b"]);
    release();
    await queue.shutDown();
    expect(runs).toEqual(["a", "b", "a"]);
  });

  it("backs off a failing key exponentially up to a cap, and forgets on success", async () => {
    expect([0, 1, 2, 3, 10].map((f) => backoffDelay(f, { baseMs: 5, maxMs: 100 }))).toEqual([5, 10, 20, 40, 100]);
    const at: number[] = [];
    const started = Date.now();
    const queue = new WorkQueue(
      async (key) => {
        at.push(Date.now() - started);
        if (at.length < 3) queue.addRateLimited(key);
        else queue.forget(key);
      },
      { baseMs: 30, maxMs: 1_000 },
    );
    queue.add("k");
    await tick(200);
    expect(at).toHaveLength(3);
    expect(at[2]! - at[0]!).toBeGreaterThanOrEqual(30 + 60 - 5); // 30 ms, then 60 ms
    queue.addRateLimited("k"); // forgotten: starts again at the base
    await tick(5);
    queue.cancel("k");
    await queue.shutDown();
    expect(at).toHaveLength(3);
  });

  it("addAfter replaces an earlier schedule; cancel and shutDown drop it", async () => {
    const runs: string[] = [];
    const queue = new WorkQueue(async (key) => void runs.push(key));
    queue.addAfter("k", 20);
    queue.addAfter("k", 60);
    await tick(40);
    expect(runs).toEqual([]);
    await tick(40);
    expect(runs).toEqual(["k"]);
    queue.addAfter("k", 10);
    queue.cancel("k");
    queue.addAfter("j", 10);
    await queue.shutDown();
    await tick(30);
    expect(runs).toEqual(["k"]);
  });
});
