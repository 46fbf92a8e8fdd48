import { Resolver } from "node:dns/promises";
import type { DnsCheck } from "../../domain/check-spec.ts";
import { timedOut, type ProbeResult } from "./probe-result.ts";

const DNS_ERRORS: Record<string, [code: string, says: string]> = {
  ENOTFOUND: ["DNS_NOT_FOUND", "no such name (NXDOMAIN)"],
  ENODATA: ["DNS_NO_RECORDS", "the name has no records of this type"],
  ESERVFAIL: ["DNS_SERVER_FAILED", "the server failed to answer (SERVFAIL)"],
  EREFUSED: ["DNS_REFUSED", "the server refused the query"],
  ECONNREFUSED: ["CONNECTION_REFUSED", "the DNS server refused the connection"],
  ETIMEOUT: ["TIMEOUT", "the DNS server did not answer"],
};

/** An answer as one comparable string per record: addresses, targets, `10 mail.example.com`, joined TXT chunks. */
function answersOf(records: unknown[]): string[] {
  return records.map((r) => {
    if (typeof r === "string") return r.replace(/\.$/, "");
    if (Array.isArray(r)) return r.join("");
    const mx = r as { priority: number; exchange: string };
    return `${mx.priority} ${mx.exchange.replace(/\.$/, "")}`;
  });
}

/** Resolves the name with the record type asked, optionally at one server, and compares with `expect`. */
export async function probeDns(spec: DnsCheck, timeoutMs: number): Promise<ProbeResult> {
  const details: Record<string, unknown> = { hostname: spec.hostname, record_type: spec.record_type, ...(spec.resolver ? { resolver: spec.resolver } : {}) };
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  if (spec.resolver) resolver.setServers([spec.resolver]);
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
  try {
    const records = await Promise.race([resolver.resolve(spec.hostname, spec.record_type) as Promise<unknown[]>, deadline]);
    if (records === "timeout") return timedOut(timeoutMs, details);
    const latencyMs = performance.now() - started;
    const answers = answersOf(records);
    details["answers"] = answers.slice(0, 20);
    if (spec.expect !== undefined && !answers.includes(spec.expect.replace(/\.$/, ""))) {
      return { outcome: "fail", latencyMs, errorCode: "DNS_UNEXPECTED_ANSWER", message: `DNS_UNEXPECTED_ANSWER: ${spec.record_type} ${spec.hostname} is ${answers.join(", ")}, expected ${spec.expect}`, details };
    }
    return { outcome: "pass", latencyMs, message: `${spec.record_type} ${spec.hostname}: ${answers.slice(0, 3).join(", ")}${answers.length > 3 ? ", …" : ""} in ${Math.round(latencyMs)} ms`, details };
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    const [errorCode, says] = DNS_ERRORS[code] ?? ["DNS_FAILED", (error as Error).message];
    return { outcome: "fail", errorCode, message: `${errorCode}: ${spec.record_type} ${spec.hostname}: ${says}`, details: { ...details, ...(code ? { cause: code } : {}) } };
  } finally {
    clearTimeout(timer);
    resolver.cancel();
  }
}
