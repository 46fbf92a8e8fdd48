import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testHarness, unique } from "../../test-support/harness.ts";
import { Intake } from "../intake.ts";
import { startNatsSource, type NatsSource } from "./nats.ts";

// Against the real NATS with JetStream at 127.0.0.1:4222 (NATS_TEST_URL to point elsewhere),
// through the official @nats-io client, on the real database as the API's runtime role with
// an ingest key that may write one service and not another.

const url = process.env.NATS_TEST_URL ?? "nats://127.0.0.1:4222";
const reachable = await connect({ servers: url, timeout: 2_000 }).then(
  (nc) => nc.close().then(() => true),
  () => false,
);
const suite = reachable ? describe : describe.skip;

suite(`NATS JetStream source${reachable ? "" : ` (skipped: no NATS server at ${url})`}`, () => {
  const h = testHarness();
  const stream = unique("FS_TEST").replace(/[^A-Za-z0-9_-]/g, "_");
  const subject = `${stream}.logs`;
  const deadLetters = `${stream}_dead`; // outside the stream's subjects, or the stream would take its own dead letters back
  const allowed = unique("nats-svc");
  const forbidden = unique("nats-other");
  let nc: NatsConnection;
  let source: NatsSource;
  let dead: Subscription;
  const deadMessages: { reason: string; seq: string; data: string }[] = [];
  let failNextCommitFor: string | undefined;

  beforeAll(async () => {
    nc = await connect({ servers: url });
    dead = nc.subscribe(deadLetters);
    void (async () => {
      for await (const m of dead) deadMessages.push({ reason: m.headers?.get("Failsight-Reason") ?? "", seq: m.headers?.get("Failsight-Original-Sequence") ?? "", data: m.string() });
    })();
    const key = await h.caller({ ingest: [allowed] });
    const intake = new Intake({ sql: h.appPool, serviceIds: h.serviceIds, now: () => new Date() });
    source = await startNatsSource(
      {
        url,
        stream,
        subjects: [`${stream}.>`],
        durable: "failsight-test",
        deadLetterSubject: deadLetters,
        ingestKey: key.key!,
        retryDelayMs: 200,
        // Fault injection: the batch committed but the process "died" before its ack.
        afterCommit: (msg) => {
          if (failNextCommitFor && msg.string().includes(failNextCommitFor)) {
            failNextCommitFor = undefined;
            throw new Error("simulated crash between commit and ack");
          }
        },
      },
      intake,
      h.appPool,
    );
  });

  afterAll(async () => {
    await source?.stop();
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(stream).catch(() => {});
    dead?.unsubscribe();
    await nc?.close();
  });

  const publish = async (payload: unknown) => {
    const js = jetstream(nc);
    return js.publish(subject, typeof payload === "string" ? payload : JSON.stringify(payload));
  };
  const rowsWith = async (marker: string) =>
    h.sql<{ service: string; message: string }[]>`
      SELECT s.name AS service, e.message FROM log_events e JOIN services s ON s.id = e.service_id WHERE e.message LIKE ${`${marker}%`} ORDER BY e.id`;
  const eventually = async <T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> => {
    for (let i = 0; i < 100; i++) {
      const value = await read();
      if (ok(value)) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it("stores a message of one event, of a batch, and of an OTLP/JSON export", async () => {
    const marker = unique("nats-ok");
    await publish({ service: allowed, level: "error", message: `${marker} single` });
    await publish([{ service: allowed, message: `${marker} batch 1` }, { service: allowed, message: `${marker} batch 2` }]);
    await publish({ resourceLogs: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: allowed } }] }, scopeLogs: [{ logRecords: [{ severityNumber: 13, body: { stringValue: `${marker} otlp` } }] }] }] });
    const rows = await eventually(() => rowsWith(marker), (r) => r.length === 4, "four events");
    expect(rows.map((r) => r.message).sort()).toEqual([`${marker} batch 1`, `${marker} batch 2`, `${marker} otlp`, `${marker} single`]);
  });

  it("stores a message redelivered after its batch committed (its ack lost) once", async () => {
    const marker = unique("nats-redelivered");
    failNextCommitFor = marker;
    await publish({ service: allowed, message: `${marker} once` });
    await eventually(async () => failNextCommitFor, (v) => v === undefined, "the simulated crash");
    const after = unique("nats-after");
    await publish({ service: allowed, message: `${after} next` });
    await eventually(() => rowsWith(after), (r) => r.length === 1, "the next message");
    // The redelivery has been handled by now (a nak waits 200 ms): still one row.
    await new Promise((r) => setTimeout(r, 600));
    expect(await rowsWith(marker)).toHaveLength(1);
  });

  it("sends what can never be stored to the dead-letter subject with the reason, and goes on", async () => {
    const marker = unique("nats-poison");
    const poison = await publish(`not json ${marker}`);
    const refused = await publish({ service: forbidden, message: `${marker} not yours` });
    await publish({ service: allowed, message: `${marker} fine` });
    await eventually(() => rowsWith(marker), (r) => r.length === 1, "the good message after the poison");
    const letters = await eventually(async () => deadMessages.filter((m) => m.data.includes(marker)), (l) => l.length === 2, "two dead letters");
    expect(letters.find((l) => l.seq === String(poison.seq))!.reason).toMatch(/JSON|invalid/i);
    expect(letters.find((l) => l.seq === String(refused.seq))!.reason).toContain(`may not write to ${forbidden}`);
    expect(await rowsWith(`${marker} not yours`)).toHaveLength(0);
  });
});

describe("subjectMatches", async () => {
  const { subjectMatches } = await import("./nats.ts");
  it("follows NATS wildcards: * one token, > one or more", () => {
    expect(subjectMatches("failsight.logs.>", "failsight.logs.api")).toBe(true);
    expect(subjectMatches("failsight.logs.>", "failsight.logs")).toBe(false);
    expect(subjectMatches("failsight.*", "failsight.dead")).toBe(true);
    expect(subjectMatches("failsight.*", "failsight.dead.x")).toBe(false);
    expect(subjectMatches("failsight.logs.>", "failsight.dead")).toBe(false);
    expect(subjectMatches("a.b", "a.b")).toBe(true);
  });
});
