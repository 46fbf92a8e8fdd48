import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from "vitest";
import { createDb, type Sql } from "./client.ts";
import { asActor } from "./scoped.ts";
import type { Actor } from "../domain/actor.ts";
import { writeBatch } from "../ingest/batch-writer.ts";
import { toColumns } from "../ingest/event-columns.ts";
import { parseBatch } from "../ingest/formats/native-json.ts";
import { ServiceIds } from "../services/service-ids.ts";
import { freshDatabase } from "../test-support/fresh-database.ts";
import { asRuntime, unique } from "../test-support/harness.ts";

// log_events.service_id has no foreign key (a per-row check was a quarter of ingest's
// database CPU); two triggers keep its guarantee (migrations/0018). Tried as production
// writes events (the API's role in an admin's and an ingest key's scope, the owner in the
// system scope) and as a service is removed by hand (a BYPASSRLS role, since no policy lets
// anyone delete a service), on a copy of the migrated schema: one test truncates services.
const url = await freshDatabase();
const owner = createDb(url, { max: 3, systemScope: true }).sql;
const runtime = createDb(asRuntime(url), { max: 4 }).sql;
const byHand = createDb(Object.assign(new URL(inject("bypassRlsUrl")), { pathname: new URL(url).pathname }).toString(), { max: 2 }).sql;
afterAll(() => Promise.all([owner.end(), runtime.end(), byHand.end()]));

const team = unique("team-refs");
const admin: Actor = { kind: "user", userId: 0, name: "admin", role: "admin", keyPrefix: "test" };
const ingestKey = (...services: string[]): Actor => ({ kind: "ingest", name: "refs", keyPrefix: "test", services });
const NO_SUCH_SERVICE = 2_000_000_000;

const code = (work: Promise<unknown>) => work.then(() => "ok", (e: { code?: string }) => e.code ?? String(e));
const newService = async () => {
  const name = unique("svc-ref");
  const [row] = await owner<{ id: number }[]>`INSERT INTO services (name, owner_team) VALUES (${name}, ${team}) RETURNING id`;
  return { name, id: row!.id };
};
const eventsOf = async (id: number) => (await owner<{ n: number }[]>`SELECT count(*)::int AS n FROM log_events WHERE service_id = ${id}`)[0]!.n;
const insertEvent = (sql: Sql, serviceId: number) => sql`INSERT INTO log_events (ts, service_id, level, message) VALUES (now(), ${serviceId}, 'info', 'refs')`;
/** Whether a statement is still waiting after a moment: a lock it must wait for. */
const stillWaiting = (work: Promise<unknown>) => Promise.race([work.then(() => false, () => false), new Promise<boolean>((r) => setTimeout(() => r(true), 400))]);
/** A writer's transaction, as production opens it. */
type InTransaction = (work: (tx: Sql) => Promise<unknown>) => Promise<unknown>;
const asOwner: InTransaction = (work) => owner.begin((tx) => work(tx as unknown as Sql));
const asAdmin: InTransaction = (work) => asActor(runtime, admin, ({ sql }) => work(sql as unknown as Sql));
const byHandInTransaction: InTransaction = (work) => byHand.begin((tx) => work(tx as unknown as Sql));

/** A transaction held open until `release` is called; `started` resolves once `work` has run in it. */
function openTransaction(inTransaction: InTransaction, work: (tx: Sql) => Promise<unknown>) {
  let release!: (commit: boolean) => void;
  const released = new Promise<boolean>((r) => (release = r));
  // A failed assertion must not leave the transaction, and its locks, open for the next test.
  onTestFinished(() => release(false));
  let ready!: () => void;
  const started = new Promise<void>((r) => (ready = r));
  const done = inTransaction(async (tx) => {
    await work(tx);
    ready();
    if (!(await released)) throw new Error("rolled back");
  });
  return { started, done, release };
}

beforeAll(async () => {
  await owner`INSERT INTO teams (name) VALUES (${team})`;
  // The DBA's role may delete and renumber services: the triggers, not privileges, must refuse.
  await owner.unsafe(`GRANT SELECT, DELETE, UPDATE ON services TO "${new URL(inject("bypassRlsUrl")).username}"`);
});

describe("an event names a service that exists", () => {
  const writers: [string, InTransaction][] = [
    ["the owner, in the system scope", asOwner],
    ["the API, for an admin", asAdmin],
  ];
  for (const [who, inTransaction] of writers) {
    it(`${who}: a statement naming a missing service is refused whole`, async () => {
      const real = await newService();
      expect(await code(inTransaction((tx) => insertEvent(tx, real.id)))).toBe("ok");
      const refused = code(
        inTransaction((tx) => tx`INSERT INTO log_events (ts, service_id, level, message) VALUES (now(), ${real.id}, 'info', 'kept?'), (now(), ${NO_SUCH_SERVICE}, 'info', 'orphan')`),
      );
      expect(await refused).toBe("23503");
      expect(await eventsOf(real.id)).toBe(1);
      expect(await eventsOf(NO_SUCH_SERVICE)).toBe(0);
    });
  }

  it("a batch through the ingest path, with an ingest key, is checked even when it cannot see other services", async () => {
    // FOR KEY SHARE under row-level security also needs the UPDATE policy, which an ingest
    // key never meets: the check must read as the system, or every ingest key's batch fails.
    const { name, id } = await newService();
    const parsed = parseBatch([{ service: name, message: "via the ingest path" }], { receivedAt: new Date(), lenient: false });
    if (!parsed.ok) throw new Error("fixture");
    await asActor(runtime, ingestKey(name), (scoped) => writeBatch(scoped, new ServiceIds(), toColumns(parsed.events)));
    expect(await eventsOf(id)).toBe(1);
  });

  it("a service deleted by hand after the API cached its id is not written to", async () => {
    const { name, id } = await newService();
    const serviceIds = new ServiceIds();
    const batch = (message: string) => {
      const parsed = parseBatch([{ service: name, message }], { receivedAt: new Date(), lenient: false });
      if (!parsed.ok) throw new Error("fixture");
      return toColumns(parsed.events);
    };
    // Learns the id, in a transaction that commits and stores nothing.
    await asActor(runtime, admin, async (scoped) => {
      await serviceIds.register(scoped.sql as unknown as Sql, [name], scoped.afterCommit);
    });
    expect(serviceIds.known([name])).toEqual([id]);
    expect((await byHand`DELETE FROM services WHERE id = ${id}`).count).toBe(1);
    expect(await code(asActor(runtime, admin, (scoped) => writeBatch(scoped, serviceIds, batch("after the delete"))))).toBe("23503");
    expect(await eventsOf(id)).toBe(0);
  });
});

describe("a service with events stays", () => {
  it("is not deleted, nor renumbered; without events it may be, and its other columns always change", async () => {
    const used = await newService();
    const unused = await newService();
    await insertEvent(owner, used.id);
    expect(await code(byHand`DELETE FROM services WHERE id = ${used.id}`)).toBe("23503");
    expect(await code(byHand`UPDATE services SET id = ${NO_SUCH_SERVICE - 1} WHERE id = ${used.id}`)).toBe("23503");
    expect(await code(byHand`UPDATE services SET tier = 2 WHERE id = ${used.id}`)).toBe("ok");
    expect(await code(byHand`UPDATE services SET id = id WHERE id = ${used.id}`)).toBe("ok");
    expect(await eventsOf(used.id)).toBe(1);
    expect((await byHand`DELETE FROM services WHERE id = ${unused.id}`).count).toBe(1);
  });

  it("a delete racing a batch waits for it, then is refused by its events", async () => {
    const { id } = await newService();
    const batch = openTransaction(asAdmin, (tx) => insertEvent(tx, id));
    await batch.started;
    const deleting = code(byHand`DELETE FROM services WHERE id = ${id}`);
    expect(await stillWaiting(deleting)).toBe(true);
    batch.release(true);
    await batch.done;
    expect(await deleting).toBe("23503");
    expect(await eventsOf(id)).toBe(1);
  });

  it("a batch racing a delete waits for it, then is refused when the delete commits and stored when it rolls back", async () => {
    for (const commit of [true, false]) {
      const { id } = await newService();
      const removal = openTransaction(byHandInTransaction, (tx) => tx`DELETE FROM services WHERE id = ${id}`);
      await removal.started;
      const writing = code(asAdmin((tx) => insertEvent(tx, id)));
      expect(await stillWaiting(writing)).toBe(true);
      removal.release(commit);
      await removal.done.catch(() => {});
      expect(await writing).toBe(commit ? "23503" : "ok");
      expect(await eventsOf(id)).toBe(commit ? 0 : 1);
    }
  });

  it("services are not truncated from under events, but may be with them", async () => {
    await insertEvent(owner, (await newService()).id);
    // CASCADE empties every table with a foreign key to services, and log_events has none.
    expect(await code(owner.begin((tx) => tx`TRUNCATE services CASCADE`))).toBe("23503");
    const emptied = owner.begin(async (tx) => {
      await tx`TRUNCATE services, log_events CASCADE`;
      throw new Error("undo");
    });
    expect(await code(emptied)).toBe("Error: undo");
    expect((await owner<{ n: number }[]>`SELECT count(*)::int AS n FROM log_events`)[0]!.n).toBeGreaterThan(0);
  });
});
