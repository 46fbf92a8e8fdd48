import { describe, expect, it } from "vitest";
import { planWindow, type WindowPlan } from "./window-plan.ts";

const at = (hms: string) => new Date(`2026-11-24T${hms}Z`);
const hms = (d: Date) => d.toISOString().slice(11, 23);
const bounds = ({ parts: _parts, ...p }: WindowPlan) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, hms(v)]));
const parts = (p: WindowPlan) => p.parts.map((r) => `${r.sign > 0 ? "+" : "-"}${r.granularity} ${hms(r.from).slice(0, 5)}-${hms(r.to).slice(0, 5)}`);

describe("planWindow", () => {
  it("covers whole minutes: the hours it covers whole from hour roll-ups, the edge hours the cheaper way", () => {
    const p = planWindow(at("08:12:30.250"), at("11:40:10"));
    expect(bounds(p)).toEqual({ from: "08:12:00.000", m0: "08:12:00.000", h0: "09:00:00.000", h1: "11:00:00.000", m1: "11:41:00.000", to: "11:40:10.000" });
    // 08:12-09:00 is 48 minutes: the hour's row less its first 12 is cheaper. The current
    // hour is its row less the minutes after the current one (only future-stamped events).
    expect(parts(p)).toEqual(["+hour 08:00-09:00", "-minute 08:00-08:12", "+hour 11:00-12:00", "-minute 11:41-12:00"]);
  });
  it("reads an edge hour covered less than half from its minutes", () => {
    expect(parts(planWindow(at("08:40:00"), at("10:10:00")))).toEqual(["+minute 08:40-09:00", "+hour 10:00-11:00", "-minute 10:11-11:00"]);
  });
  it("reads a short window inside one hour from its minutes", () => {
    const p = planWindow(at("10:27:00"), at("10:32:10"));
    expect(bounds(p)).toMatchObject({ m0: "10:27:00.000", h0: "10:33:00.000", h1: "10:33:00.000", m1: "10:33:00.000" });
    expect(parts(p)).toEqual(["+minute 10:27-10:33"]);
  });
  it("reads a window under a minute from raw events, exactly", () => {
    const p = planWindow(at("10:00:10"), at("10:00:50"));
    expect(bounds(p)).toEqual({ from: "10:00:10.000", m0: "10:00:50.000", h0: "10:00:50.000", h1: "10:00:50.000", m1: "10:00:50.000", to: "10:00:50.000" });
    expect(p.parts).toEqual([]);
  });
  it("counts an hour-aligned window's hours whole, and the current minute", () => {
    const p = planWindow(at("10:00:00"), at("12:00:00"));
    expect(bounds(p)).toMatchObject({ m0: "10:00:00.000", h0: "10:00:00.000", h1: "12:00:00.000", m1: "12:01:00.000" });
    // One minute row or one hour row: a tie goes to the minute.
    expect(parts(p)).toEqual(["+minute 12:00-12:01"]);
  });
  it("counts every instant of the window exactly once and none after its last minute", () => {
    // Random windows from 1s to 24h; sample instants up to an hour past the window and add
    // up the signs of the parts that claim each.
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
      for (let k = 0; k < 60; k++) {
        const t = start - 3_600_000 + Math.floor(rand() * (m1 + 7_200_000 - start));
        const minute = Math.floor(t / 60_000) * 60_000;
        const hour = Math.floor(t / 3_600_000) * 3_600_000;
        const raw = (t > start && t < m0) || (t >= m1 && t <= to) ? 1 : 0;
        const whole = hour >= h0 && hour < h1 ? 1 : 0;
        const signed = p.parts.reduce((n, r) => {
          const bucket = r.granularity === "hour" ? hour : minute;
          return bucket >= r.from.getTime() && bucket < r.to.getTime() ? n + r.sign : n;
        }, 0);
        const inWindow = m0 < m1 ? minute >= m0 && minute < m1 : t > start && t <= to;
        expect(raw + whole + signed, `${new Date(t).toISOString()} in ${JSON.stringify(p)}`).toBe(inWindow ? 1 : 0);
      }
      // Cheaper than minute rows alone, counting only minutes up to the current one.
      const minuteRows = p.parts.reduce((n, r) => n + (r.granularity === "hour" ? 1 : Math.max(0, Math.min(r.to.getTime(), m1) - r.from.getTime()) / 60_000), 0);
      expect(minuteRows).toBeLessThanOrEqual(Math.max(0, (Math.min(h0, m1) - m0) / 60_000) + (m1 - Math.max(h1, m0)) / 60_000);
    }
  });
});
