import type { CheckOutcome } from "../../domain/vocabulary.ts";

/**
 * One attempt at a target. `latencyMs` is measured only when the target answered (a
 * refused connection or a timeout has no latency to speak of); `errorCode` is set for
 * `fail` and `warn`; `details` are kept with the result's event.
 */
export type ProbeResult = {
  outcome: CheckOutcome;
  latencyMs?: number;
  errorCode?: string;
  message: string;
  details: Record<string, unknown>;
};

/** Node's network error codes as the error codes a check reports (and alerts and /logs filter on). */
const NETWORK_ERRORS: Record<string, [code: string, says: string]> = {
  ECONNREFUSED: ["CONNECTION_REFUSED", "connection refused"],
  ECONNRESET: ["CONNECTION_RESET", "connection reset by the target"],
  EPIPE: ["CONNECTION_RESET", "connection closed by the target"],
  ENOTFOUND: ["DNS_NOT_FOUND", "the host name does not resolve"],
  EAI_AGAIN: ["DNS_FAILED", "the host name could not be resolved right now"],
  EHOSTUNREACH: ["HOST_UNREACHABLE", "no route to the host"],
  ENETUNREACH: ["HOST_UNREACHABLE", "no route to the network"],
  CERT_HAS_EXPIRED: ["TLS_CERT_EXPIRED", "the certificate has expired"],
  ERR_TLS_CERT_ALTNAME_INVALID: ["TLS_NAME_MISMATCH", "the certificate is not for this host"],
  DEPTH_ZERO_SELF_SIGNED_CERT: ["TLS_UNTRUSTED", "the certificate is self-signed (give the CA in tls_ca)"],
  SELF_SIGNED_CERT_IN_CHAIN: ["TLS_UNTRUSTED", "the certificate chain ends in an untrusted root (give the CA in tls_ca)"],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: ["TLS_UNTRUSTED", "the certificate's issuer is not trusted (give the CA in tls_ca)"],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ["TLS_UNTRUSTED", "the certificate's issuer is not trusted (give the CA in tls_ca)"],
  EPROTO: ["TLS_HANDSHAKE_FAILED", "the TLS handshake failed"],
};

/** A failed attempt from the error Node raised. */
export function networkFailure(error: unknown, details: Record<string, unknown> = {}): ProbeResult {
  const code = (error as { code?: string }).code ?? "";
  const [errorCode, says] = NETWORK_ERRORS[code] ?? ["CONNECTION_FAILED", (error as Error).message || "the connection failed"];
  return { outcome: "fail", errorCode, message: `${errorCode}: ${says}`, details: { ...details, ...(code ? { cause: code } : {}) } };
}

export function timedOut(timeoutMs: number, details: Record<string, unknown> = {}): ProbeResult {
  return { outcome: "fail", errorCode: "TIMEOUT", message: `TIMEOUT: no answer within ${timeoutMs} ms`, details };
}
