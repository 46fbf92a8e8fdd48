import { describe, expect, it } from "vitest";
import { parseDuration, parseTimeExpression } from "./time-expression.ts";

const now = new Date("2026-11-24T12:00:00.000Z");

describe("parseTimeExpression", () => {
  it.each([
    ["now", "2026-11-24T12:00:00.000Z"],
    ["now-15m", "2026-11-24T11:45:00.000Z"],
    ["now-1h", "2026-11-24T11:00:00.000Z"],
    ["now-7d", "2026-11-17T12:00:00.000Z"],
    ["now+2w", "2026-12-08T12:00:00.000Z"],
    ["2026-01-02T03:04:05Z", "2026-01-02T03:04:05.000Z"],
    ["2026-01-02T03:04:05+02:00", "2026-01-02T01:04:05.000Z"],
    ["2026-01-02T03:04:05", "2026-01-02T03:04:05.000Z"],
    ["2026-01-02", "2026-01-02T00:00:00.000Z"],
    ["1767225600000", "2026-01-01T00:00:00.000Z"],
  ])("reads %s", (input, expected) => {
    expect(parseTimeExpression(input, now)?.toISOString()).toBe(expected);
  });

  it.each(["yesterday", "now-1y", "now-", "2026-13-45T00:00:00Z", "", "now - 1h"])("refuses %j", (input) => {
    expect(parseTimeExpression(input, now)).toBeUndefined();
  });
});

describe("parseDuration", () => {
  it("reads seconds to weeks", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("24h")).toBe(86_400_000);
    expect(parseDuration("5")).toBeUndefined();
  });
});
