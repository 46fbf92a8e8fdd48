import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { runEntry } from "../test-support/entry-process.ts";
import { freePort } from "../test-support/free-port.ts";
import { tcpRelay } from "../test-support/tcp-relay.ts";

// Issue 18: on a first `helm install` the CloudNativePG primary comes up after Failsight's
// pods, and a migrate init container that exits at the first ECONNREFUSED is restarted with
// back-off that can outlast the install. The real entry point, as its own process, against
// the run's real PostgreSQL reached through a port that only starts listening 20 s late.
const shared = new URL(inject("databaseUrl"));
const relays: ReturnType<typeof tcpRelay>[] = [];
afterAll(() => Promise.all(relays.map((r) => r.cut())));

const run = (env: Record<string, string>) => runEntry("migrate", { LOG_FORMAT: "json", ...env });

const urlOn = (port: number, database: string) => {
  const url = new URL(shared.href);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  url.pathname = `/${database}`;
  return url.href;
};

describe("migrate waits for the database", () => {
  it("migrates a database that starts accepting connections 20 s late, in one run, saying what it waits for", async () => {
    // A new, empty database (named after the run's, so the run's teardown drops it).
    const database = `${shared.pathname.slice(1)}_late_${randomUUID().slice(0, 8)}`;
    const admin = postgres(shared.href, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE "${database}"`);
    await admin.end();
    const port = await freePort();

    const started = Date.now();
    const p = run({ DATABASE_URL: urlOn(port, database) });
    await new Promise((r) => setTimeout(r, 20_000));
    expect(p.child.exitCode, p.output()).toBeNull(); // still waiting, not crashed
    const relay = tcpRelay({ host: shared.hostname, port: Number(shared.port || 5432) }, port);
    relays.push(relay);
    await relay.open();
    expect(await p.exited, p.output()).toBe(0);
    const tookMs = Date.now() - started;

    expect(p.output()).toContain(`waiting for PostgreSQL at 127.0.0.1:${port}/${database}: it does not accept connections yet (ECONNREFUSED)`);
    expect(p.output()).toContain("migrations applied");
    // Back-off is bounded (5 s at most between attempts): it noticed within one step.
    expect(tookMs).toBeLessThan(20_000 + 5_000 + 15_000);
    const check = postgres(urlOn(port, database), { max: 1, onnotice: () => {} });
    try {
      const [row] = await check<{ present: boolean }[]>`SELECT to_regclass('log_events') IS NOT NULL AS present`;
      expect(row!.present).toBe(true);
    } finally {
      await check.end();
    }
  }, 60_000);

  it("gives up after MIGRATE_WAIT_SECONDS, naming the database and the reason", async () => {
    const port = await freePort();
    const started = Date.now();
    const p = run({ DATABASE_URL: urlOn(port, "nowhere"), MIGRATE_WAIT_SECONDS: "2" });
    expect(await p.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(p.output()).toContain(`PostgreSQL at 127.0.0.1:${port}/nowhere did not come up within 2 s: it does not accept connections yet (ECONNREFUSED)`);
  }, 20_000);

  it("does not wait on an error that waiting cannot fix", async () => {
    const started = Date.now();
    // template0 never accepts connections (55000): no wait makes it.
    const url = new URL(shared.href);
    url.pathname = "/template0";
    const p = run({ DATABASE_URL: url.href, MIGRATE_WAIT_SECONDS: "60" });
    expect(await p.exited).toBe(1);
    expect(Date.now() - started, p.output()).toBeLessThan(10_000);
    expect(p.output()).not.toContain("waiting for PostgreSQL");
    expect(p.output()).toContain("not currently accepting connections");
  }, 20_000);
});
