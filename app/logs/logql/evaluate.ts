import type { BinaryOperator, Grouping, MetricExpr, RangeAggregation, VectorOperator } from "./ast.ts";
import { ADDITIVE, seriesLabels, type Steps } from "./compile.ts";
import { unsupported } from "./errors.ts";
import { STREAM_LABELS } from "./labels.ts";

// Evaluates a metric expression over the step grid. The database computes each range
// aggregation (already grouped when a `sum by` around it allows); aggregation over series,
// arithmetic and `vector()` happen here, on at most a few thousand series. Pure apart from
// the `fetch` it is handed, so tests run it on series they build.

export type Labels = Record<string, string>;
/** A series: its labels and a value at each step index that has one. */
export type Series = { labels: Labels; points: Map<number, number> };
export type Value = { kind: "scalar"; value: number } | { kind: "vector"; series: Series[] };

/** Runs one range aggregation grouped by `labels`, returning its series. */
export type FetchRange = (range: RangeAggregation, labels: readonly string[]) => Promise<Series[]>;

export async function evaluate(expr: MetricExpr, steps: Steps, fetch: FetchRange): Promise<Value> {
  switch (expr.kind) {
    case "number":
      return { kind: "scalar", value: expr.value };
    case "vectorLiteral":
      return { kind: "vector", series: [{ labels: {}, points: new Map(Array.from({ length: steps.count }, (_, k) => [k, expr.value])) }] };
    case "range":
      return { kind: "vector", series: await fetch(expr, seriesLabels(expr)) };
    case "vector": {
      const pushed = pushedDown(expr);
      if (pushed) return { kind: "vector", series: await fetch(pushed.range, pushed.labels) };
      const inner = await evaluate(expr.inner, steps, fetch);
      if (inner.kind === "scalar") throw unsupported(`${expr.op} over a number; it aggregates series`);
      return { kind: "vector", series: aggregate(expr.op, expr.param, expr.grouping, inner.series) };
    }
    case "binary": {
      const [left, right] = await Promise.all([evaluate(expr.left, steps, fetch), evaluate(expr.right, steps, fetch)]);
      return binary(expr.op, left, right);
    }
  }
}

/**
 * `sum by (L) (f(...))` for an additive f is f grouped by L: the database groups, and no
 * per-stream series is built. Returns the range and the labels to group by, or nothing.
 */
function pushedDown(expr: Extract<MetricExpr, { kind: "vector" }>): { range: RangeAggregation; labels: readonly string[] } | undefined {
  const inner = expr.inner;
  if (expr.op !== "sum" || inner.kind !== "range" || inner.grouping || !ADDITIVE.includes(inner.fn)) return undefined;
  if (!expr.grouping) return { range: inner, labels: [] };
  if (!expr.grouping.without) return { range: inner, labels: expr.grouping.labels };
  if (inner.selector.stages.some((s) => s.kind === "parser")) return undefined;
  return { range: inner, labels: STREAM_LABELS.filter((l) => !expr.grouping!.labels.includes(l)) };
}

export function groupLabels(labels: Labels, grouping: Grouping | undefined): Labels {
  if (!grouping) return {};
  const kept = Object.entries(labels).filter(([name]) => grouping.labels.includes(name) !== grouping.without);
  return Object.fromEntries(kept);
}

export function labelsKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function aggregate(op: VectorOperator, param: number | undefined, grouping: Grouping | undefined, series: Series[]): Series[] {
  const groups = new Map<string, { labels: Labels; members: Series[] }>();
  for (const s of series) {
    const labels = groupLabels(s.labels, grouping);
    const key = labelsKey(labels);
    const group = groups.get(key) ?? groups.set(key, { labels, members: [] }).get(key)!;
    group.members.push(s);
  }
  if (op === "topk" || op === "bottomk") return selectK(op, param!, [...groups.values()].map((g) => g.members));
  const result: Series[] = [];
  for (const { labels, members } of groups.values()) {
    const points = new Map<number, number>();
    const steps = new Set(members.flatMap((m) => [...m.points.keys()]));
    for (const k of steps) {
      const values = members.flatMap((m) => (m.points.has(k) ? [m.points.get(k)!] : []));
      points.set(k, combine(op, values));
    }
    result.push({ labels, points });
  }
  return result;
}

function combine(op: Exclude<VectorOperator, "topk" | "bottomk">, values: number[]): number {
  switch (op) {
    case "sum":
      return values.reduce((a, b) => a + b, 0);
    case "avg":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "min":
      return Math.min(...values);
    case "max":
      return Math.max(...values);
    case "count":
      return values.length;
  }
}

/** topk/bottomk keep whole series' labels; at each step, the k largest (smallest) of each group. */
function selectK(op: "topk" | "bottomk", k: number, groups: Series[][]): Series[] {
  const kept = new Map<Series, Map<number, number>>();
  for (const members of groups) {
    const steps = new Set(members.flatMap((m) => [...m.points.keys()]));
    for (const step of steps) {
      const present = members.filter((m) => m.points.has(step));
      present.sort((a, b) => (op === "topk" ? b.points.get(step)! - a.points.get(step)! : a.points.get(step)! - b.points.get(step)!));
      for (const s of present.slice(0, k)) (kept.get(s) ?? kept.set(s, new Map()).get(s)!).set(step, s.points.get(step)!);
    }
  }
  return [...kept].map(([s, points]) => ({ labels: s.labels, points }));
}

const ARITHMETIC: Record<BinaryOperator, (a: number, b: number) => number> = {
  "+": (a, b) => a + b,
  "-": (a, b) => a - b,
  "*": (a, b) => a * b,
  "/": (a, b) => a / b,
  "%": (a, b) => a % b,
  "^": (a, b) => a ** b,
};

/** Arithmetic between numbers and series; two series sets match one-to-one on equal labels. */
export function binary(op: BinaryOperator, left: Value, right: Value): Value {
  const f = ARITHMETIC[op];
  if (left.kind === "scalar" && right.kind === "scalar") return { kind: "scalar", value: f(left.value, right.value) };
  if (left.kind === "scalar" || right.kind === "scalar") {
    const vector = (left.kind === "vector" ? left : right) as Extract<Value, { kind: "vector" }>;
    const scalar = (left.kind === "scalar" ? left : right) as Extract<Value, { kind: "scalar" }>;
    const apply = (v: number) => (left.kind === "scalar" ? f(scalar.value, v) : f(v, scalar.value));
    return { kind: "vector", series: vector.series.map((s) => ({ labels: s.labels, points: new Map([...s.points].map(([k, v]) => [k, apply(v)])) })) };
  }
  const byKey = new Map(right.series.map((s) => [labelsKey(s.labels), s]));
  const series: Series[] = [];
  for (const l of left.series) {
    const r = byKey.get(labelsKey(l.labels));
    if (!r) continue;
    const points = new Map<number, number>();
    for (const [k, v] of l.points) if (r.points.has(k)) points.set(k, f(v, r.points.get(k)!));
    if (points.size) series.push({ labels: l.labels, points });
  }
  return { kind: "vector", series };
}
