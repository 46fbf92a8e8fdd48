import { expect, it } from "vitest";
import { inTwoStages, WorkSlots } from "./work-slots.ts";

it("runs at most `size` at once, in arrival order, and frees the slot when work fails", async () => {
  const slots = new WorkSlots(2);
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const job = (i: number) =>
    slots.run(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      order.push(i);
      running--;
      if (i === 1) throw new Error("fails");
    });
  const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map(job));
  expect(most).toBe(2);
  expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
  expect(order.slice(2)).toEqual([2, 3, 4, 5]);
  expect(slots.queued).toBe(0);
  expect(await slots.run(async () => "free again")).toBe("free again");
});

it("hands a slot back once, however often it is released", async () => {
  const slots = new WorkSlots(1);
  const release = await slots.claim();
  const next = slots.claim();
  release();
  release();
  const second = await next;
  expect(slots.queued).toBe(0);
  // Still held by the second claim: a third waits.
  let third = false;
  void slots.claim().then(() => (third = true));
  await new Promise((r) => setTimeout(r, 5));
  expect(third).toBe(false);
  second();
  await new Promise((r) => setTimeout(r, 0));
  expect(third).toBe(true);
});

// The intake parses a batch while the one before it is written (intake.ts).
it("runs the next job's first stage while this one's second runs, and holds at most `size` finished first stages", async () => {
  const firsts = new WorkSlots(1);
  const seconds = new WorkSlots(1);
  const log: string[] = [];
  let waiting = 0;
  let mostWaiting = 0;
  const job = (i: number) =>
    inTwoStages(
      firsts,
      async () => {
        log.push(`first ${i}`);
        await new Promise((r) => setTimeout(r, 2));
        waiting++;
        mostWaiting = Math.max(mostWaiting, waiting);
        return i;
      },
      seconds,
      async (n) => {
        waiting--;
        log.push(`second ${n} starts`);
        await new Promise((r) => setTimeout(r, 20));
        log.push(`second ${n} ends`);
        if (n === 1) throw new Error("fails");
        return n * 10;
      },
    );
  const results = await Promise.allSettled([0, 1, 2, 3].map(job));
  expect(results.map((r) => (r.status === "fulfilled" ? r.value : "failed"))).toEqual([0, "failed", 20, 30]);
  // Job 1 is parsed while job 0 is written, before job 0's write ends.
  expect(log.indexOf("first 1")).toBeLessThan(log.indexOf("second 0 ends"));
  expect(mostWaiting).toBe(1);
  expect(firsts.queued + seconds.queued).toBe(0);
});
