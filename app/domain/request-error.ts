import type { FieldError } from "./field-error.ts";

/**
 * Why Failsight will not (or cannot now) carry out a request. Raised at any layer; the API
 * turns each code into one status and an RFC 9457 problem (api/problem.ts), and nothing
 * else decides the status of a refusal.
 */
const REQUEST_ERROR_CODES = [
  "validation-error",
  "malformed-json",
  "invalid-cursor",
  "unauthorized",
  "forbidden",
  "not-found",
  "conflict",
  "payload-too-large",
  "headers-too-large",
  "too-many-requests",
  "unsupported-media-type",
  "service-unavailable",
  "internal-error",
] as const;
export type RequestErrorCode = (typeof REQUEST_ERROR_CODES)[number];

export class RequestError extends Error {
  override name = "RequestError";
  readonly code: RequestErrorCode;
  readonly errors: FieldError[] | undefined;
  constructor(code: RequestErrorCode, detail?: string, errors?: FieldError[]) {
    super(detail ?? code);
    this.code = code;
    this.errors = errors;
  }
}

/** Why a key let in earlier is refused now (db/scoped.ts checks it in every transaction). */
export const KEY_NO_LONGER_HOLDS = "this key was revoked, has expired, or its user's role changed";
