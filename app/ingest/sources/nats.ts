import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import { connect, headers as natsHeaders, type NatsConnection } from "@nats-io/transport-node";
import { Counter, Gauge } from "prom-client";
import { resolveKey } from "../../access/api-keys.ts";
import type { Sql } from "../../db/client.ts";
import { RequestError } from "../../domain/request-error.ts";
import { log } from "../../log.ts";
import { registry } from "../../metrics/registry.ts";
import type { Intake } from "../intake.ts";
import { forgetReceipts } from "../receipts.ts";

// A NATS JetStream source: a durable pull consumer feeding the same intake as HTTP. Each
// message is one native event, a native batch, or an OTLP/JSON export. A message is acked
// only once its batch has committed; a redelivery of one already stored is acked without
// storing it again (its receipt is in the same transaction as its events); a message that
// can never be stored goes to the dead-letter subject with the reason, and is terminated,
// so it never blocks the stream; a message that failed for a passing reason (the database
// away) is redelivered later. A Kafka source would be one more of these, feeding the intake.

export type NatsSourceOptions = {
  url: string;
  stream: string;
  /** Subjects the stream holds, created with it when it does not exist. */
  subjects: string[];
  durable: string;
  deadLetterSubject: string;
  /** Whose entitlements the messages carry: an ingest key (or a user key) of the database. */
  ingestKey: string;
  /** How long a passing failure waits before the message is redelivered. */
  retryDelayMs?: number;
  /** Test hook: called after a message's batch committed, before its ack. */
  afterCommit?: (msg: JsMsg) => void;
};

const registers = [registry];
const pending = new Gauge({ name: "failsight_nats_consumer_pending_messages", help: "Messages in the stream not yet delivered to Failsight's consumer, plus those delivered and not yet acked.", labelNames: ["stream", "consumer"] as const, registers });
const messages = new Counter({ name: "failsight_nats_messages_total", help: "Messages taken from NATS, by outcome (stored, duplicate, dead_letter, retry).", labelNames: ["stream", "outcome"] as const, registers });

/** Starts consuming; resolves once the stream and the consumer exist and messages flow. */
export async function startNatsSource(options: NatsSourceOptions, intake: Intake, sql: Sql) {
  if (options.subjects.some((pattern) => subjectMatches(pattern, options.deadLetterSubject))) {
    throw new Error(`the dead-letter subject ${options.deadLetterSubject} is one of the stream's subjects (${options.subjects.join(", ")}): the stream would take its own dead letters back`);
  }
  const nc: NatsConnection = await connect({ servers: options.url, name: "failsight-consumer" });
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, options);
  await jsm.consumers.add(options.stream, { durable_name: options.durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: 30_000_000_000, max_deliver: -1 });
  const consumer = await jetstream(nc).consumers.get(options.stream, options.durable);
  let stopped = false;

  const handle = messageHandler(options, intake, sql, nc);
  const messagesIterator = await consumer.consume({ max_messages: 100 });
  const loop = (async () => {
    for await (const msg of messagesIterator) {
      if (stopped) break;
      await handle(msg);
    }
  })().catch((error) => log.error({ err: error }, "NATS consumer stopped"));

  const watch = setInterval(() => {
    void jsm.consumers
      .info(options.stream, options.durable)
      .then((info) => pending.set({ stream: options.stream, consumer: options.durable }, info.num_pending + info.num_ack_pending))
      .catch(() => {});
    void forgetReceipts(sql, 24).catch(() => {});
  }, 5_000);
  watch.unref();
  log.info({ url: options.url, stream: options.stream, consumer: options.durable }, "consuming log messages from NATS JetStream");

  return {
    async stop() {
      stopped = true;
      clearInterval(watch);
      messagesIterator.stop();
      await loop;
      await nc.drain();
    },
  };
}

export type NatsSource = Awaited<ReturnType<typeof startNatsSource>>;

/** Processes one message: stored and acked, acked as a duplicate, dead-lettered, or nak'ed for later. */
function messageHandler(options: NatsSourceOptions, intake: Intake, sql: Sql, nc: NatsConnection) {
  const source = `nats:${options.stream}`;
  return async (msg: JsMsg) => {
    const check = await resolveKey(sql, options.ingestKey);
    if (!check.ok) {
      // Nothing can be stored without a usable key; every message waits for one.
      log.error({ reason: check.reason }, "NATS consumer: NATS_INGEST_KEY is not usable; messages wait");
      msg.nak(options.retryDelayMs ?? 5_000);
      messages.inc({ stream: options.stream, outcome: "retry" });
      return;
    }
    try {
      const outcome = await intake.accept({
        actor: check.actor,
        endpoint: "native",
        body: asBatch(msg.data),
        contentType: msg.headers?.get("Content-Type") || "application/json",
        encoding: msg.headers?.get("Content-Encoding") || undefined,
        audit: { method: "NATS", path: msg.subject, route: options.stream },
        receipt: { source, messageId: String(msg.seq) },
      });
      options.afterCommit?.(msg);
      msg.ack();
      messages.inc({ stream: options.stream, outcome: outcome.duplicate ? "duplicate" : "stored" });
    } catch (error) {
      if (isPermanent(error)) {
        await deadLetter(nc, options.deadLetterSubject, msg, (error as Error).message);
        msg.term((error as Error).message.slice(0, 200));
        messages.inc({ stream: options.stream, outcome: "dead_letter" });
      } else {
        log.warn({ err: error, subject: msg.subject, seq: msg.seq }, "NATS consumer: message not stored; it will be redelivered");
        msg.nak(options.retryDelayMs ?? 5_000);
        messages.inc({ stream: options.stream, outcome: "retry" });
      }
    }
  };
}

/** Whether a NATS subject pattern (`*` one token, `>` the rest) matches a subject. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i;
    if (i >= s.length || (p[i] !== "*" && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

async function ensureStream(jsm: Awaited<ReturnType<typeof jetstreamManager>>, options: NatsSourceOptions) {
  try {
    await jsm.streams.info(options.stream);
  } catch {
    await jsm.streams.add({ name: options.stream, subjects: options.subjects });
    log.info({ stream: options.stream, subjects: options.subjects }, "created the NATS stream");
  }
}

/** One event (a JSON object that is not an envelope) becomes a batch of one; anything else goes as sent. */
function asBatch(data: Uint8Array): ArrayBuffer {
  const text = Buffer.from(data);
  const head = text.subarray(0, 64).toString("utf8").trimStart();
  const single = head.startsWith("{") && !/^\{\s*"(events|resourceLogs)"\s*:/.test(head);
  const bytes = single ? Buffer.concat([Buffer.from("["), text, Buffer.from("]")]) : text;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** A refusal of the message itself (its content, or what the key may write): retrying cannot help. */
function isPermanent(error: unknown): boolean {
  return error instanceof RequestError && error.code !== "too-many-requests" && error.code !== "service-unavailable";
}

async function deadLetter(nc: NatsConnection, subject: string, msg: JsMsg, reason: string) {
  const h = natsHeaders();
  h.set("Failsight-Reason", reason.slice(0, 1_000));
  h.set("Failsight-Original-Subject", msg.subject);
  h.set("Failsight-Original-Sequence", String(msg.seq));
  nc.publish(subject, msg.data, { headers: h });
  await nc.flush();
  log.warn({ subject: msg.subject, seq: msg.seq, reason }, "NATS consumer: message sent to the dead-letter subject");
}
