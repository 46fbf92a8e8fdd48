/**
 * A deterministic generator of numbers in [0, 1) (mulberry32), for tests and benches whose
 * random inputs must replay exactly: a failure then names an input that can be run again.
 * (A plain LCG's successive outputs correlate.)
 */
export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
