import { parentPort } from "node:worker_threads";
import { movedAsBytes } from "./event-columns.ts";
import { runParse, type ParseJob } from "./parse-job.ts";
import { lowerThreadPriority, PARSE_WORKER_NICE } from "./worker-priority.ts";

// A parse worker's thread: it reads bodies (JSON.parse, protobuf decoding, validation)
// off the API's event loop, on CPU nothing else wants. See parse-pool.ts.
lowerThreadPriority(PARSE_WORKER_NICE);
parentPort!.on("message", ({ id, job, body }: { id: number; job: Omit<ParseJob, "body">; body: ArrayBuffer }) => {
  try {
    const outcome = runParse({ ...job, body: Buffer.from(body) });
    if (!outcome.ok || !outcome.parsed.ok) return parentPort!.postMessage({ id, outcome });
    const { columns, buffers } = movedAsBytes(outcome.parsed.columns);
    parentPort!.postMessage({ id, outcome: { ...outcome, parsed: { ...outcome.parsed, columns } } }, buffers);
  } catch (error) {
    parentPort!.postMessage({ id, failure: (error as Error).stack ?? String(error) });
  }
});
