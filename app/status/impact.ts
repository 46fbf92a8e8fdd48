import type { ServiceState } from "../domain/vocabulary.ts";

/** A dependency edge by service name: `service` depends on (calls) `dependsOn`. */
export type Edge = { service: string; dependsOn: string };

/** Each service's direct dependencies. */
function dependenciesOf(edges: readonly Edge[]): Map<string, string[]> {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.service, [...(next.get(e.service) ?? []), e.dependsOn]);
  return next;
}

/** Every service reachable from `start` by one or more edges. */
function reachable(start: string, next: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(next.get(start) ?? [])];
  while (stack.length) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    stack.push(...(next.get(s) ?? []));
  }
  return seen;
}

/**
 * For each service that depends, directly or not, on a service that is down: the root
 * causes, the down services it reaches whose own failure no other down service explains
 * (none they depend on is down, or only ones in a cycle with them). Services in
 * maintenance are neither down nor impacted here. Pure.
 */
export function rootCauses(edges: readonly Edge[], down: ReadonlySet<string>): Map<string, string[]> {
  const next = dependenciesOf(edges);
  const reach = new Map<string, Set<string>>();
  const reachOf = (s: string) => reach.get(s) ?? reach.set(s, reachable(s, next)).get(s)!;
  const isRoot = (d: string) => [...reachOf(d)].every((below) => !down.has(below) || below === d || reachOf(below).has(d));
  const causes = new Map<string, string[]>();
  for (const service of next.keys()) {
    const roots = [...reachOf(service)].filter((d) => d !== service && down.has(d) && isRoot(d)).sort();
    if (roots.length) causes.set(service, roots);
  }
  return causes;
}

type Evaluated = { service: string; state: ServiceState; reason: string };

/**
 * Marks the services a down dependency explains as `impacted`, naming the root cause and
 * its own reason, whatever their own state (their errors are most likely the dependency's):
 * the root cause pages once, its dependents are silenced by it (the chart's inhibit rules).
 * A service in maintenance stays so. Pure.
 */
export function applyImpact<T extends Evaluated>(statuses: readonly T[], edges: readonly Edge[]): (T & { impactedBy: string[] })[] {
  const byName = new Map(statuses.map((s) => [s.service, s]));
  const down = new Set(statuses.filter((s) => s.state === "down").map((s) => s.service));
  const causes = rootCauses(edges, down);
  return statuses.map((s) => {
    const roots = causes.get(s.service);
    if (!roots || s.state === "maintenance") return { ...s, impactedBy: [] };
    const first = byName.get(roots[0]!)!;
    const others = roots.length > 1 ? ` (and ${roots.slice(1).join(", ")})` : "";
    return { ...s, state: "impacted" as const, reason: `depends on ${first.service}, which is down: ${first.reason}${others}`, impactedBy: roots };
  });
}

/** The services `names` depend on, directly or not, and the names themselves: what /status must evaluate to tell whether they are impacted. */
export function withDependencies(names: readonly string[], edges: readonly Edge[]): string[] {
  const next = dependenciesOf(edges);
  return [...new Set([...names, ...names.flatMap((n) => [...reachable(n, next)])])];
}
