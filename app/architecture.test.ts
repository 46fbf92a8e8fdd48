import { expect, it } from "vitest";
import { cycles, importGraph, upwardArrows } from "./test-support/code-shape.ts";

// The layers of app/layers.ts hold: domain at the bottom, HTTP, Kubernetes and the entry
// points at the top, and nothing imports its way back up or round in a circle.

const graph = importGraph();

it("no import runs up the layers", () => {
  expect(upwardArrows(graph).map((a) => `${a.from} (${a.fromLayer}) -> ${a.to} (${a.toLayer})`)).toEqual([]);
});

it("no files import each other in a circle", () => {
  expect(cycles(graph)).toEqual([]);
});

it("sees every source file and its imports (a checker that reads nothing passes everything)", () => {
  expect(graph.size).toBeGreaterThan(80);
  expect(graph.get("app/api/app.ts")).toContain("app/api/routes/logs/index.ts");
  expect(upwardArrows(new Map([["app/domain/actor.ts", ["app/api/app.ts"]]]))).toHaveLength(1);
  expect(cycles(new Map([["a", ["b"]], ["b", ["a"]]]))).toHaveLength(1);
});
