import { describe, expect, it } from "vitest";
import { checkVerdict, type CheckState } from "./check-verdict.ts";
import { heartbeatVerdict, type HeartbeatState } from "./heartbeat-verdict.ts";

const now = new Date("2026-11-26T12:00:00Z");
const ago = (s: number) => new Date(now.getTime() - s * 1000);

describe("heartbeatVerdict", () => {
  const beat = (h: Partial<HeartbeatState>): HeartbeatState => ({ periodSeconds: 60, graceSeconds: 30, createdAt: ago(3600), lastPingAt: ago(10), lastPingKind: "success", lastSuccessAt: ago(10), ...h });

  it("is up while pings come within period + grace, and down one second past it", () => {
    expect(heartbeatVerdict(beat({ lastPingAt: ago(90), lastSuccessAt: ago(90) }), now)).toMatchObject({ state: "up", reason: "last ping 90s ago (expected every 60s, grace 30s)" });
    expect(heartbeatVerdict(beat({ lastPingAt: ago(91), lastSuccessAt: ago(91) }), now)).toMatchObject({ state: "down", reason: "no ping for 91s (expected every 60s, grace 30s)" });
  });

  it("waits for the first ping until the heartbeat itself is late", () => {
    const fresh = { lastPingAt: null, lastPingKind: null, lastSuccessAt: null };
    expect(heartbeatVerdict(beat({ ...fresh, createdAt: ago(90) }), now)).toBeUndefined();
    expect(heartbeatVerdict(beat({ ...fresh, createdAt: ago(91) }), now)).toMatchObject({ state: "down", reason: expect.stringMatching(/^no ping since the heartbeat was set up 91s ago/) });
  });

  it("is down at once on /fail, whatever the period, until the next success", () => {
    expect(heartbeatVerdict(beat({ lastPingAt: ago(1), lastPingKind: "fail", lastSuccessAt: ago(5) }), now)).toMatchObject({ state: "down", reason: "the job reported a failure 1s ago (/fail)" });
    expect(heartbeatVerdict(beat({ lastPingAt: ago(0), lastPingKind: "success", lastSuccessAt: ago(0) }), now)!.state).toBe("up");
  });

  it("gives a started job the grace to finish, then is down", () => {
    expect(heartbeatVerdict(beat({ lastPingAt: ago(30), lastPingKind: "start", lastSuccessAt: ago(40) }), now)).toMatchObject({ state: "up", reason: "the job is running, started 30s ago" });
    expect(heartbeatVerdict(beat({ lastPingAt: ago(31), lastPingKind: "start", lastSuccessAt: ago(40) }), now)).toMatchObject({ state: "down", reason: "the job started 31s ago and has not finished (grace 30s)" });
    // Started but the period ran out since the last success: late all the same.
    expect(heartbeatVerdict(beat({ lastPingAt: ago(5), lastPingKind: "start", lastSuccessAt: ago(100) }), now)!.state).toBe("down");
  });
});

describe("checkVerdict", () => {
  const result = (c: Partial<CheckState>): CheckState => ({ name: "api", intervalSeconds: 60, timeoutMs: 5000, lastRunAt: ago(10), lastOutcome: "pass", lastMessage: "answered 200 in 12 ms", ...c });

  it("maps the last confirmed outcome to a state, naming the check", () => {
    expect(checkVerdict(result({}), now)).toEqual({ state: "up", reason: "check api: answered 200 in 12 ms", source: "check" });
    expect(checkVerdict(result({ lastOutcome: "fail", lastMessage: "CONNECTION_REFUSED" }), now)).toMatchObject({ state: "down", reason: "check api: CONNECTION_REFUSED (10s ago)" });
    expect(checkVerdict(result({ lastOutcome: "warn", lastMessage: "certificate expires in 1 day" }), now)!.state).toBe("degraded");
  });

  it("says nothing before its first result, or once the result is stale (no runner probing)", () => {
    expect(checkVerdict(result({ lastRunAt: null, lastOutcome: null }), now)).toBeUndefined();
    // 3 intervals + 2 timeouts + a minute = 250 s.
    expect(checkVerdict(result({ lastRunAt: ago(250) }), now)!.state).toBe("up");
    expect(checkVerdict(result({ lastRunAt: ago(251) }), now)).toBeUndefined();
  });
});
