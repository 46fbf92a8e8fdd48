// Small measuring helpers the benches share.

export async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (next < items.length) await work(items[next++]!); }));
}

/** Nearest-rank quantile, p in 0-100. */
export function quantile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/** Milliseconds each call of fn took, `runs` times in a row. */
export async function latencies(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

/**
 * Milliseconds each of `fns` took, `runs` times each, taking turns (each round starts with
 * the next one): a pause of the machine or the database lands on all of them alike, so
 * the gap between an API call and its own SQL is not one run's luck against another's.
 */
export async function interleavedLatencies<T extends readonly (() => Promise<unknown>)[]>(runs: number, fns: readonly [...T]): Promise<{ [K in keyof T]: number[] }> {
  const times = fns.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < fns.length; j++) {
      const k = (i + j) % fns.length;
      const start = performance.now();
      await fns[k]!();
      times[k]!.push(performance.now() - start);
    }
  }
  return times as { [K in keyof T]: number[] };
}

export const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : "–");
export const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en") : "–");

/** "10m", "200k" or "5000"; anything else stops the run rather than measuring NaN events. */
export const count = (text: string) => {
  const n = Math.round(Number(text.replace(/[km]$/i, "")) * ({ k: 1_000, m: 1_000_000 }[text.slice(-1).toLowerCase()] ?? 1));
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a count of events: ${text}`);
  return n;
};
