import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../test-support/seeded-random.ts";
import { observeMany } from "./metrics.ts";

// observeMany writes into prom-client's own per-label values: its output must be what
// observing each value gives, for values on, between and above the bounds.
describe("observeMany", () => {
  it("gives the histogram observing each value gives, label set by label set", async () => {
    const make = () => new Histogram({ name: "h", help: "h", labelNames: ["service"] as const, buckets: [0.005, 0.1, 1, 30], registers: [new Registry()] });
    const one = make();
    const many = make();
    const next = seededRandom(3);
    for (const service of ["a", "b", "a", "c"]) {
      const values = Float64Array.from({ length: 500 }, (_, i) => (i % 7 === 0 ? [0.005, 0.1, 1, 30, 0, 31][i % 6]! : next() * 40));
      for (const v of values) one.observe({ service }, v);
      observeMany(many, { service }, values);
    }
    observeMany(many, { service: "d" }, new Float64Array(0));
    expect(await many.get()).toEqual(await one.get());
  });
});
