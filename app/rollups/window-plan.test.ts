import { describe, expect, it } from "vitest";
import { planWindow } from "./window-plan.ts";

const at = (hms: string) => new Date(`2026-11-24T${hms}Z`);
const iso = (p: ReturnType<typeof planWindow>) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.toISOString().slice(11, 23)]));

describe("planWindow", () => {
  it("covers whole minutes: hours from hour roll-ups, the minutes around them, the current minute so far", () => {
    expect(iso(planWindow(at("08:12:30.250"), at("11:40:10")))).toEqual({
      from: "08:12:00.000", m0: "08:12:00.000", h0: "09:00:00.000", h1: "11:00:00.000", m1: "11:41:00.000", to: "11:40:10.000",
    });
  });
  it("uses no hour roll-up when no whole hour fits", () => {
    expect(iso(planWindow(at("10:55:00"), at("11:58:59")))).toMatchObject({ m0: "10:55:00.000", h0: "11:59:00.000", h1: "11:59:00.000", m1: "11:59:00.000" });
  });
  it("reads a window under a minute from raw events, exactly", () => {
    expect(iso(planWindow(at("10:00:10"), at("10:00:50")))).toEqual({ from: "10:00:10.000", m0: "10:00:50.000", h0: "10:00:50.000", h1: "10:00:50.000", m1: "10:00:50.000", to: "10:00:50.000" });
  });
  it("counts an hour-aligned window's hours from hour roll-ups, and the current minute", () => {
    const p = planWindow(at("10:00:00"), at("12:00:00"));
    expect(iso(p)).toMatchObject({ m0: "10:00:00.000", h0: "10:00:00.000", h1: "12:00:00.000", m1: "12:01:00.000" });
  });
  it("covers the window, from the start of its first minute, every instant exactly once", () => {
    // Random windows from 1s to 24h; sample instants and count the parts that claim each.
    let seed = 7;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 300; i++) {
      const to = Date.UTC(2026, 10, 24, 12) + Math.floor(rand() * 86_400_000);
      const from = to - 1000 - Math.floor(rand() * 86_399_000);
      const p = planWindow(new Date(from), new Date(to));
      const [m0, h0, h1, m1] = [p.m0, p.h0, p.h1, p.m1].map((d) => d.getTime()) as [number, number, number, number];
      const start = p.from.getTime();
      expect(m0 <= h0 && h0 <= h1 && h1 <= m1).toBe(true);
      // Never more than a minute earlier than asked; never short of it.
      expect(start <= from && from - start < 60_000).toBe(true);
      for (let k = 0; k < 50; k++) {
        const t = start + 1 + Math.floor(rand() * (to - start));
        const minute = Math.floor(t / 60_000) * 60_000;
        const hour = Math.floor(t / 3_600_000) * 3_600_000;
        const parts = [
          (t > start && t < m0) || (t >= m1 && t <= to),
          (minute >= m0 && minute < h0) || (minute >= h1 && minute < m1),
          hour >= h0 && hour < h1,
        ].filter(Boolean).length;
        expect(parts, `${new Date(t).toISOString()} in ${JSON.stringify(p)}`).toBe(1);
      }
    }
  });
});
