import { describe, expect, it } from "vitest";
import { uptimeRatio } from "./uptime.ts";

const t = (iso: string) => new Date(`2026-11-24T${iso}Z`);

describe("uptimeRatio", () => {
  it("counts time not down over known time", () => {
    // up 10:00-10:30, down 10:30-10:45, degraded 10:45-11:00 → 45 of 60 minutes
    const ratio = uptimeRatio("up", [{ at: t("10:30:00"), toState: "down" }, { at: t("10:45:00"), toState: "degraded" }], t("10:00:00"), t("11:00:00"));
    expect(ratio).toBeCloseTo(0.75, 10);
  });
  it("leaves time before the first transition and unknown time out", () => {
    // nothing known until 10:20; up till 10:40; unknown after → fully up over what is known
    const ratio = uptimeRatio(null, [{ at: t("10:20:00"), toState: "up" }, { at: t("10:40:00"), toState: "unknown" }], t("10:00:00"), t("11:00:00"));
    expect(ratio).toBe(1);
  });
  it("is null when nothing is known", () => {
    expect(uptimeRatio(null, [], t("10:00:00"), t("11:00:00"))).toBeNull();
  });
  it("ignores transitions after the end", () => {
    expect(uptimeRatio("down", [{ at: t("12:00:00"), toState: "up" }], t("10:00:00"), t("11:00:00"))).toBe(0);
  });
  it("leaves maintenance out and counts impacted (a dependency down) as the service's own uptime", () => {
    // up 10:00-10:15, maintenance 10:15-10:45 (not counted), down 10:45-11:00 → 15 of 30 known minutes
    const ratio = uptimeRatio("up", [{ at: t("10:15:00"), toState: "maintenance" }, { at: t("10:45:00"), toState: "down" }], t("10:00:00"), t("11:00:00"));
    expect(ratio).toBeCloseTo(0.5, 10);
    expect(uptimeRatio("impacted", [], t("10:00:00"), t("11:00:00"))).toBe(1);
  });
});
