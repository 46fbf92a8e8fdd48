import { describe, expect, it } from "vitest";
import { planWindow } from "./window-plan.ts";

const at = (hms: string) => new Date(`2026-11-24T${hms}Z`);
const iso = (p: ReturnType<typeof planWindow>) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.toISOString().slice(11, 23)]));

describe("planWindow", () => {
  it("reads whole hours from hour roll-ups, whole minutes around them from minute roll-ups, and the partial minutes raw", () => {
    expect(iso(planWindow(at("08:12:30.250"), at("11:40:10")))).toEqual({
      from: "08:12:30.250", m0: "08:13:00.000", h0: "09:00:00.000", h1: "11:00:00.000", m1: "11:40:00.000", to: "11:40:10.000",
    });
  });
  it("uses no hour roll-up when no whole hour fits", () => {
    expect(iso(planWindow(at("10:55:00"), at("11:59:59")))).toMatchObject({ m0: "10:55:00.000", h0: "11:59:00.000", h1: "11:59:00.000", m1: "11:59:00.000" });
  });
  it("reads a window with no whole minute raw, all of it", () => {
    expect(iso(planWindow(at("10:00:10"), at("10:00:50")))).toMatchObject({ m0: "10:00:50.000", m1: "10:00:50.000", h0: "10:00:50.000", h1: "10:00:50.000" });
  });
  it("needs no raw part when the window is aligned to minutes", () => {
    const p = planWindow(at("10:00:00"), at("12:00:00"));
    expect(p.m0).toEqual(p.from);
    expect(p.h0.getTime()).toBe(p.from.getTime());
    expect(p.h1.getTime()).toBe(p.to.getTime());
  });
  it("covers every instant of the window exactly once", () => {
    // Random windows up to 24h; sample instants and count the parts that claim each.
    let seed = 7;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let i = 0; i < 300; i++) {
      const to = Date.UTC(2026, 10, 24, 12) + Math.floor(rand() * 86_400_000);
      const from = to - 1000 - Math.floor(rand() * 86_399_000);
      const p = planWindow(new Date(from), new Date(to));
      const [m0, h0, h1, m1] = [p.m0, p.h0, p.h1, p.m1].map((d) => d.getTime()) as [number, number, number, number];
      expect(from <= m0 && m0 <= h0 && h0 <= h1 && h1 <= m1 && m1 <= to).toBe(true);
      expect([m0, h1].every((t) => t % 60_000 === 0 || t === to)).toBe(true);
      for (let k = 0; k < 50; k++) {
        const t = from + 1 + Math.floor(rand() * (to - from));
        const minute = Math.floor(t / 60_000) * 60_000;
        const hour = Math.floor(t / 3_600_000) * 3_600_000;
        const parts = [
          (t > from && t < m0) || (t >= m1 && t <= to),
          (minute >= m0 && minute < h0) || (minute >= h1 && minute < m1),
          hour >= h0 && hour < h1,
        ].filter(Boolean).length;
        expect(parts, `${new Date(t).toISOString()} in ${JSON.stringify(p)}`).toBe(1);
      }
    }
  });
});
