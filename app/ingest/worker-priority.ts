import { setPriority } from "node:os";

/**
 * The nice value of a parse worker's thread: the lowest priority there is. Parsing is the
 * one part of ingest that waits for no one else, so it takes the CPU the event loop and
 * PostgreSQL leave idle, and yields it when a query needs it. On two cores, 20 readers
 * asking once a second beside 4 ingest clients waited p50 53-58 ms, p95 173-191 with the
 * worker at 19, against 62-67 and 200-216 at the default 0, better in 6 of 8 rounds; ingest
 * under that load kept its share (0.80-0.84x of solo against 0.79-0.81x) and alone its
 * rate (within 3 %) (#15, two interleaved A/B runs of 4 rounds, 1M events, PG15).
 */
export const PARSE_WORKER_NICE = 19;

/**
 * Lowers the calling thread's CPU priority to `nice`, on Linux, where a nice value is a
 * thread's own and setpriority(2) of "0" means the calling thread. Elsewhere it would be
 * the whole process's, the event loop's too, so it is left alone. False when not lowered.
 */
export function lowerThreadPriority(nice: number): boolean {
  if (process.platform !== "linux") return false;
  try {
    setPriority(nice);
    return true;
  } catch {
    // A container that forbids it: the worker runs at the process's priority, as before.
    return false;
  }
}
