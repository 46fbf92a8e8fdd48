import type { CheckSpec, DnsCheck, HttpCheck, TcpCheck } from "../../domain/check-spec.ts";
import type { CheckKind } from "../../domain/vocabulary.ts";
import { probeDns } from "./dns.ts";
import { probeHttp } from "./http.ts";
import type { ProbeResult } from "./probe-result.ts";
import { probeTcp } from "./tcp.ts";

/** One attempt at a check's target, by its kind. */
export function probe(kind: CheckKind, spec: CheckSpec, timeoutMs: number): Promise<ProbeResult> {
  switch (kind) {
    case "http":
      return probeHttp(spec as HttpCheck, timeoutMs);
    case "tcp":
      return probeTcp(spec as TcpCheck, timeoutMs);
    case "dns":
      return probeDns(spec as DnsCheck, timeoutMs);
  }
}
