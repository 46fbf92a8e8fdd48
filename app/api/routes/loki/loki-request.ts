import { z } from "@hono/zod-openapi";
import type { LogSelector } from "../../../logs/logql/ast.ts";
import type { TimeWindow } from "../../../logs/logql/compile.ts";
import { parseLogQL } from "../../../logs/logql/parser.ts";
import { DEFAULT_LIMIT, DEFAULT_RANGE_MS, MAX_LIMIT, parseTime, type ParamResult } from "../../../logs/logql/params.ts";
import { LokiBadRequest } from "./loki-response.ts";

// The parameters Loki's read endpoints share, declared once: their OpenAPI description and
// how each is read. Every field is an optional string so that zod refuses nothing; a bad
// value is answered in Loki's error shape by the reading below.

const text = (description: string, example?: string) => z.string().optional().openapi({ description, ...(example ? { example } : {}) });

export const TIME_PARAMS = {
  start: text("Unix nanoseconds or seconds, or RFC 3339; default `end` minus an hour.", "1700000000000000000"),
  end: text("Unix nanoseconds or seconds, or RFC 3339; default now."),
};
export const QUERY_PARAM = { query: text("LogQL (the subset the README lists).", '{service="api"} |= "timeout"') };
export const SELECTOR_PARAM = { query: text("A log selector narrowing the answer, e.g. `{team=\"payments\"}`.") };

function take<T>(result: ParamResult<T>): T {
  if (!result.ok) throw new LokiBadRequest(result.message);
  return result.value;
}

/** One time parameter (`time`, `start`), `fallbackUs` when absent; a bad one is a Loki 400. */
export function timeOf(raw: string | undefined, fallbackUs: number, name: string): number {
  return take(parseTime(raw, fallbackUs, name));
}

/** [start, end) from the request, end defaulting to now and start to an hour before it. */
export function windowOf(query: { start?: string; end?: string }, now: Date): TimeWindow {
  const toUs = timeOf(query.end, now.getTime() * 1000, "end");
  const fromUs = timeOf(query.start, toUs - DEFAULT_RANGE_MS * 1000, "start");
  if (fromUs > toUs) throw new LokiBadRequest("end timestamp must not be before start time");
  return { fromUs, toUs };
}

export function limitOf(raw: string | undefined): number {
  if (raw === undefined || raw === "") return DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit <= 0) throw new LokiBadRequest(`limit must be a positive whole number, got "${raw}"`);
  if (limit > MAX_LIMIT) throw new LokiBadRequest(`max entries limit per query exceeded, limit > max_entries_limit (${limit} > ${MAX_LIMIT})`);
  return limit;
}

export function directionOf(raw: string | undefined): "backward" | "forward" {
  const direction = (raw ?? "backward").toLowerCase();
  if (direction !== "backward" && direction !== "forward") throw new LokiBadRequest(`direction must be backward or forward, got "${raw}"`);
  return direction;
}

/** A parameter that must hold a log selector (labels, series, index endpoints). */
export function selectorOf(raw: string | undefined, required: boolean): LogSelector | undefined {
  if (raw === undefined || raw === "") {
    if (required) throw new LokiBadRequest("query is required: a log selector such as {service=\"api\"}");
    return undefined;
  }
  const parsed = parseLogQL(raw);
  if (parsed.kind !== "log") throw new LokiBadRequest(`a log selector is expected here, not a metric query: ${raw}`);
  return parsed.selector;
}
