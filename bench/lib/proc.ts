import { readdirSync, readFileSync } from "node:fs";

// What /proc says of the processes a bench measures: resident memory, and CPU time, the
// only account that sees every process and thread of a run (the database server's
// backends, and the API's event loop, V8's helper threads and ingest parse workers).

/** Resident memory of process `pid`, MiB. */
export function processRssMiB(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
}

/** utime + stime of one /proc stat line, in seconds, and the command name it gives. */
function statLine(text: string): { name: string; seconds: number } {
  // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th, in clock ticks (100/s on Linux).
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  return { name: text.slice(text.indexOf("(") + 1, close), seconds: (Number(fields[11]) + Number(fields[12])) / 100 };
}

/** CPU seconds process `pid` has used, all its threads (user + system). */
export function processCpuSeconds(pid: number): number {
  return statLine(readFileSync(`/proc/${pid}/stat`, "utf8")).seconds;
}

/** CPU seconds of every process whose command is `postgres` (each backend, the writer, the WAL writer, autovacuum). */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = statLine(readFileSync(`/proc/${pid}/stat`, "utf8"));
      if (stat.name === "postgres") total += stat.seconds;
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}

/** The machine's CPU seconds since boot, busy (user, nice, system, irq, softirq, steal) and idle (idle, iowait), all cores. */
export function machineCpuSeconds(): { busy: number; idle: number } {
  const ticks = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = ticks as [number, number, number, number, number, number, number, number];
  return { busy: (user + nice + system + irq + softirq + steal) / 100, idle: (idle + iowait) / 100 };
}

/** CPU seconds of each thread of `pid` by thread name (Node: MainThread, V8Worker, libuv-worker, a worker's name). */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = statLine(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8"));
      byName.set(stat.name, (byName.get(stat.name) ?? 0) + stat.seconds);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return byName;
}
