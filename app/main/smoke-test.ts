import { randomBytes } from "node:crypto";

// `helm test` (charts/failsight/templates/tests/), or by hand against any Failsight:
//   FAILSIGHT_URL=http://localhost:3000 FAILSIGHT_KEY=fsk_... node dist/app/main/smoke-test.js
// Checks what a first install must do, over HTTP as a client would: the API is ready
// (database up and migrated), it stores an event sent with the key, and reads it back.
// Prints one line per step; exits 0 when all pass, 1 naming the step that failed.

const SERVICE = "failsight-smoke-test";
const url = (process.env.FAILSIGHT_URL ?? "").replace(/\/+$/, "");
const key = process.env.FAILSIGHT_KEY;
const deadline = Date.now() + Number(process.env.SMOKE_TIMEOUT_SECONDS ?? 60) * 1000;

class StepFailed extends Error {}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text() };
}

/** Tries `attempt` until it returns a value or the deadline passes; the last answer names the failure. */
async function until<T>(step: string, attempt: () => Promise<T | { failed: string }>): Promise<T> {
  let last = "";
  while (Date.now() < deadline) {
    try {
      const result = await attempt();
      if (!(result && typeof result === "object" && "failed" in result)) return result as T;
      last = result.failed;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new StepFailed(`${step}: ${last}`);
}

try {
  if (!url) throw new StepFailed("FAILSIGHT_URL: required (like http://failsight-api:3000)");
  await until("GET /ready", async () => {
    const r = await call("GET", "/ready");
    return r.status === 200 ? true : { failed: `${r.status} ${r.text}` };
  });
  console.log(`ok: ${url}/ready`);

  const traceId = randomBytes(16).toString("hex");
  const stored = await call("POST", "/v1/logs", [{ service: SERVICE, level: "info", message: "smoke test: one event, read back", trace_id: traceId }]);
  if (stored.status !== 200) throw new StepFailed(`POST /v1/logs: ${stored.status} ${stored.text}${stored.status === 401 ? " (is FAILSIGHT_KEY an admin or ingest key?)" : ""}`);
  console.log(`ok: POST /v1/logs stored 1 event for ${SERVICE} (trace_id ${traceId})`);

  const id = await until("GET /logs (read it back)", async () => {
    const r = await call("GET", `/logs?service=${SERVICE}&trace_id=${traceId}&from=now-1h`);
    if (r.status !== 200) return { failed: `${r.status} ${r.text}` };
    const items = (JSON.parse(r.text) as { items: { id: string | number; trace_id?: string }[] }).items;
    return items.length === 1 ? String(items[0]!.id) : { failed: `${items.length} events with trace_id ${traceId}` };
  });
  console.log(`ok: GET /logs read it back (id ${id})`);
} catch (error) {
  console.error(`failed: ${error instanceof StepFailed ? error.message : (error as Error).stack}`);
  process.exit(1);
}
