import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDnsServer } from "../../test-support/dns-server.ts";
import { freePort } from "../../test-support/free-port.ts";
import { DnsCheckSpec } from "../../domain/check-spec.ts";
import { probeDns } from "./dns.ts";

// The DNS probe with Node's own resolver against a DNS server on loopback (see dns-server.ts
// for why it is the test's own).
let server: Awaited<ReturnType<typeof startDnsServer>>;
beforeAll(async () => {
  server = await startDnsServer({ "db.internal": { A: ["10.0.0.7", "10.0.0.8"], TXT: ["v=ok"] } });
});
afterAll(() => server.close());

const spec = (s: Record<string, unknown>) => DnsCheckSpec.parse({ resolver: server.address, ...s });

describe("probeDns", () => {
  it("passes when the name resolves, and when an expected answer is among the answers", async () => {
    expect(await probeDns(spec({ hostname: "db.internal" }), 1000)).toMatchObject({ outcome: "pass", message: expect.stringMatching(/^A db.internal: 10.0.0.7, 10.0.0.8 in \d+ ms$/), details: { answers: ["10.0.0.7", "10.0.0.8"] } });
    expect((await probeDns(spec({ hostname: "db.internal", expect: "10.0.0.8" }), 1000)).outcome).toBe("pass");
    expect((await probeDns(spec({ hostname: "db.internal", record_type: "TXT", expect: "v=ok" }), 1000)).outcome).toBe("pass");
  });

  it("fails with a code for a wrong answer, a missing name, a missing record type, and a server that is not there", async () => {
    expect(await probeDns(spec({ hostname: "db.internal", expect: "10.0.0.9" }), 1000)).toMatchObject({ outcome: "fail", errorCode: "DNS_UNEXPECTED_ANSWER" });
    expect(await probeDns(spec({ hostname: "nope.internal" }), 1000)).toMatchObject({ outcome: "fail", errorCode: "DNS_NOT_FOUND", message: "DNS_NOT_FOUND: A nope.internal: no such name (NXDOMAIN)" });
    expect(await probeDns(spec({ hostname: "db.internal", record_type: "MX" }), 1000)).toMatchObject({ outcome: "fail", errorCode: "DNS_NO_RECORDS" });
    const silent = await probeDns(DnsCheckSpec.parse({ hostname: "db.internal", resolver: `127.0.0.1:${await freePort()}` }), 300);
    expect(silent.outcome).toBe("fail");
    expect(["TIMEOUT", "CONNECTION_REFUSED"]).toContain(silent.errorCode);
  });
});
