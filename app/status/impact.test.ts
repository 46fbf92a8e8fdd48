import { describe, expect, it } from "vitest";
import { applyImpact, rootCauses, withDependencies, type Edge } from "./impact.ts";

const edges = (...pairs: [string, string][]): Edge[] => pairs.map(([service, dependsOn]) => ({ service, dependsOn }));
// A → B → DB, C → DB, D → A.
const graph = edges(["a", "b"], ["b", "db"], ["c", "db"], ["d", "a"]);

describe("rootCauses", () => {
  it("names the deepest down service for every service that reaches it, and none for the rest", () => {
    expect(rootCauses(graph, new Set(["db"]))).toEqual(new Map([["a", ["db"]], ["b", ["db"]], ["c", ["db"]], ["d", ["db"]]]));
    // B down because DB is: DB is still the one root cause, and B is impacted, not a cause.
    expect(rootCauses(graph, new Set(["db", "b"])).get("a")).toEqual(["db"]);
    expect(rootCauses(graph, new Set(["b"]))).toEqual(new Map([["a", ["b"]], ["d", ["b"]]]));
    expect(rootCauses(graph, new Set())).toEqual(new Map());
  });

  it("gives every independent cause, and the members of a down cycle", () => {
    expect(rootCauses(edges(["a", "x"], ["a", "y"]), new Set(["x", "y"])).get("a")).toEqual(["x", "y"]);
    expect(rootCauses(edges(["a", "x"], ["x", "y"], ["y", "x"]), new Set(["x", "y"])).get("a")).toEqual(["x", "y"]);
  });
});

describe("applyImpact", () => {
  it("makes dependents impacted with the root cause and its reason, whatever their own state; maintenance stays", () => {
    const statuses = [
      { service: "a", state: "up" as const, reason: "fine" },
      { service: "b", state: "down" as const, reason: "error rate 80.0% ≥ 50.0%" },
      { service: "c", state: "maintenance" as const, reason: "in maintenance" },
      { service: "db", state: "down" as const, reason: "check db-tcp: CONNECTION_REFUSED" },
      { service: "e", state: "up" as const, reason: "fine" },
    ];
    const out = applyImpact(statuses, graph);
    expect(out.map((s) => [s.service, s.state, s.impactedBy])).toEqual([
      ["a", "impacted", ["db"]],
      ["b", "impacted", ["db"]],
      ["c", "maintenance", []],
      ["db", "down", []],
      ["e", "up", []],
    ]);
    expect(out[0]!.reason).toBe("depends on db, which is down: check db-tcp: CONNECTION_REFUSED");
  });
});

describe("withDependencies", () => {
  it("adds what the named services reach", () => {
    expect(withDependencies(["a"], graph).sort()).toEqual(["a", "b", "db"]);
    expect(withDependencies(["e"], graph)).toEqual(["e"]);
  });
});
