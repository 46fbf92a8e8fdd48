import { expect, it } from "vitest";
import { WorkSlots } from "./work-slots.ts";

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
