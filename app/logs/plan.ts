import { createHash } from "node:crypto";
import type { Severity } from "../domain/vocabulary.ts";
import type { FieldError } from "../domain/field-error.ts";
import { decodeCursor } from "./cursor.ts";
import type { LogsQuery } from "./query-params.ts";
import { parseTimeExpression } from "../domain/time-expression.ts";

/** Everything the repository needs to run one page of /logs, with no I/O left to decide. */
export type LogsPlan = {
  services?: string[];
  minLevel?: Severity;
  status?: { min: number; max: number };
  errorCodes?: string[];
  from?: Date;
  to?: Date;
  q?: string;
  traceId?: string;
  order: "asc" | "desc";
  limit: number;
  /** Keyset position: rows strictly after this one in `order`. */
  after?: { ts: string; id: number };
  /** Rows with a higher id arrived after the first page and are left out of later ones. */
  snapshotId?: number;
  fingerprint: string;
};

/**
 * Whether a page is best read by walking one service's (service_id, ts, id) index in order
 * to its LIMIT: one service, and no filter that another index serves (trace id, error code,
 * status), which could find a few matching rows faster than the walk. Pure.
 */
export function readsServiceIndexInOrder(plan: LogsPlan): boolean {
  return plan.services?.length === 1 && plan.traceId === undefined && plan.errorCodes === undefined && plan.status === undefined;
}

export type PlanResult = { ok: true; plan: LogsPlan } | { ok: false; errors: FieldError[]; cursor?: boolean };

export function planLogsQuery(query: LogsQuery, now: Date): PlanResult {
  const errors: FieldError[] = [];
  const fingerprint = fingerprintOf(query);
  const plan: LogsPlan = { order: query.order, limit: query.limit, fingerprint };
  if (query.service) plan.services = query.service;
  if (query.level) plan.minLevel = query.level;
  if (query.error_code) plan.errorCodes = query.error_code;
  if (query.q) plan.q = query.q;
  if (query.trace_id) plan.traceId = query.trace_id;
  if (query.status) plan.status = statusRange(query.status);

  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    if (!cursor || cursor.f !== fingerprint) {
      return { ok: false, cursor: true, errors: [{ field: "cursor", message: "does not belong to this query: keep every filter and the order as they were on the first page" }] };
    }
    plan.after = { ts: cursor.ts, id: cursor.id };
    plan.snapshotId = cursor.s;
    if (cursor.from !== undefined) plan.from = new Date(cursor.from);
    if (cursor.to !== undefined) plan.to = new Date(cursor.to);
  } else {
    for (const field of ["from", "to"] as const) {
      const raw = query[field];
      if (raw === undefined) continue;
      const parsed = parseTimeExpression(raw, now);
      if (parsed) plan[field] = parsed;
      else errors.push({ field, message: "must be ISO-8601, epoch milliseconds, `now`, or `now-<n><s|m|h|d|w>`" });
    }
    if (plan.from && plan.to && plan.from >= plan.to) errors.push({ field: "from", message: "must be before `to`" });
  }
  return errors.length ? { ok: false, errors } : { ok: true, plan };
}

function statusRange(status: string): { min: number; max: number } {
  if (/xx$/i.test(status)) {
    const base = Number(status[0]) * 100;
    return { min: base, max: base + 99 };
  }
  return { min: Number(status), max: Number(status) };
}

/** Identifies a query by what selects and orders its rows; limit and cursor may change. */
function fingerprintOf(query: LogsQuery): string {
  const { limit: _limit, cursor: _cursor, ...rest } = query;
  const canonical = JSON.stringify({
    ...rest,
    service: rest.service ? [...rest.service].sort() : undefined,
    error_code: rest.error_code ? [...rest.error_code].sort() : undefined,
    status: rest.status?.toLowerCase(),
  });
  return createHash("sha256").update(canonical).digest("base64url").slice(0, 16);
}
