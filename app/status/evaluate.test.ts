import { describe, expect, it } from "vitest";
import { evaluateState, thresholdsFor, weighVerdicts, type WindowStats } from "./evaluate.ts";

const now = new Date("2026-11-24T12:00:00Z");
const stats = (s: Partial<WindowStats>): WindowStats => ({ requests: 100, errors: 0, p50: 10, p95: 50, p99: 90, lastEventAt: now, ...s });
const defaults = thresholdsFor({});

describe("evaluateState", () => {
  it("is up with few errors and fast responses", () => {
    expect(evaluateState(stats({ errors: 4 }), defaults, now).state).toBe("up");
  });
  it("is degraded at the error-rate threshold and down at the down threshold", () => {
    expect(evaluateState(stats({ errors: 5 }), defaults, now)).toMatchObject({ state: "degraded", reason: "error rate 5.0% ≥ 5.0%" });
    expect(evaluateState(stats({ errors: 50 }), defaults, now).state).toBe("down");
  });
  it("is degraded when p95 latency reaches its threshold", () => {
    expect(evaluateState(stats({ p95: 1000 }), defaults, now)).toMatchObject({ state: "degraded", reason: expect.stringContaining("p95") });
  });
  it("is unknown with no events, unless silence is declared to mean down", () => {
    const quiet = stats({ requests: 0, p50: null, p95: null, p99: null, lastEventAt: new Date(now.getTime() - 600_000) });
    expect(evaluateState(quiet, defaults, now).state).toBe("unknown");
    expect(evaluateState(quiet, thresholdsFor({ silence_seconds_down: 300 }), now)).toMatchObject({ state: "down", reason: "no events for 600s (limit 300s)" });
    expect(evaluateState(quiet, thresholdsFor({ silence_seconds_down: 900 }), now).state).toBe("unknown");
  });
  it("takes per-service overrides over the defaults, key by key", () => {
    const t = thresholdsFor({ error_rate_degraded: 0.2 });
    expect(t.error_rate_down).toBe(0.5);
    expect(evaluateState(stats({ errors: 10 }), t, now).state).toBe("up");
  });
});

describe("weighVerdicts", () => {
  const calm = { state: "up" as const, reason: "error rate 0.0%, 100 events" };
  const probe = (state: "up" | "degraded" | "down", reason = `probe ${state}`) => ({ state, reason, source: "check" as const });
  it("takes the worst of the events and the probes", () => {
    expect(weighVerdicts(calm, [probe("up"), probe("down", "check api: CONNECTION_REFUSED")])).toEqual({ state: "down", reason: "check api: CONNECTION_REFUSED" });
    expect(weighVerdicts({ state: "down", reason: "error rate 60.0% ≥ 50.0%" }, [probe("up")])).toEqual({ state: "down", reason: "error rate 60.0% ≥ 50.0%" });
    expect(weighVerdicts({ state: "degraded", reason: "p95" }, [probe("up")]).state).toBe("degraded");
  });
  it("lets a probe's up speak for events that say nothing, and names the probe on a tie", () => {
    expect(weighVerdicts({ state: "unknown", reason: "no events in the window" }, [probe("up", "last ping 3s ago")])).toEqual({ state: "up", reason: "last ping 3s ago" });
    expect(weighVerdicts({ state: "down", reason: "error rate" }, [probe("down", "no ping for 90s")]).reason).toBe("no ping for 90s");
    expect(weighVerdicts({ state: "unknown", reason: "no events in the window" }, [])).toEqual({ state: "unknown", reason: "no events in the window" });
  });
});
