import { describe, expect, it } from "vitest";
import { dailyUptime } from "./daily-uptime.ts";

const at = (iso: string) => new Date(iso);

describe("dailyUptime", () => {
  it("gives each UTC day its own share, carrying the state across midnight, today so far last", () => {
    const days = dailyUptime(
      null,
      [
        { at: at("2026-11-24T12:00:00Z"), toState: "up" },
        { at: at("2026-11-25T18:00:00Z"), toState: "down" },
        { at: at("2026-11-26T06:00:00Z"), toState: "up" },
      ],
      at("2026-11-26T12:00:00Z"),
      4,
    );
    expect(days).toEqual([
      { day: "2026-11-23", ratio: null },
      { day: "2026-11-24", ratio: 1 },
      { day: "2026-11-25", ratio: 0.75 },
      { day: "2026-11-26", ratio: 0.5 },
    ]);
  });
});
