import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { LogQLError } from "../../../logs/logql/errors.ts";
import type { Steps } from "../../../logs/logql/compile.ts";
import type { Labels, Series, Value } from "../../../logs/logql/evaluate.ts";
import type { Stream } from "../../../logs/logql/repository.ts";
import { answerError } from "../../errors.ts";

// Loki's response envelopes and error shape, which Grafana's Loki datasource reads: data as
// {"status":"success","data":...}, errors as JSON whose `message` Grafana shows (Prometheus'
// `error`/`errorType` are there too, for clients that read those).

/** The envelope every Loki JSON answer shares; its `data` differs per endpoint. */
export const LokiEnvelope = z
  .object({ status: z.literal("success"), data: z.unknown() })
  .openapi("LokiResponse", { description: "Loki's envelope: see https://grafana.com/docs/loki/latest/reference/loki-http-api/" });

export const LokiErrorBody = z
  .object({ status: z.literal("error"), code: z.number().int(), errorType: z.string(), error: z.string(), message: z.string() })
  .openapi("LokiError");

export const lokiJson = { "application/json": { schema: LokiEnvelope } };
export const LOKI_ERRORS = { 400: { description: "Not LogQL, LogQL Failsight does not evaluate, or a bad parameter (Loki's error shape)", content: { "application/json": { schema: LokiErrorBody } } } };

/** The request's fault, in Loki's words. */
export class LokiBadRequest extends Error {
  override name = "LokiBadRequest";
}

const ERROR_TYPES: Record<number, string> = { 400: "bad_data", 401: "unauthorized", 403: "forbidden", 404: "not_found", 503: "unavailable", 504: "timeout" };

function lokiError(c: Context, status: number, message: string): Response {
  return c.json({ status: "error", code: status, errorType: ERROR_TYPES[status] ?? "internal", error: message, message }, status as ContentfulStatusCode);
}

/** Loki's read API, whose every error (a refused URL or key included) Grafana reads in Loki's shape. */
export function answersInLokiShape(path: string): boolean {
  return path.startsWith("/loki/api/v1/") && path !== "/loki/api/v1/push";
}

/**
 * Errors of Loki's read API: LogQL and parameter errors and PostgreSQL's refusal of
 * a regular expression are 400s; everything else is decided where every other route's
 * errors are (api/errors.ts) and only reworded into Loki's shape.
 */
export async function answerLokiError(error: Error, c: Context): Promise<Response> {
  if (error instanceof LogQLError || error instanceof LokiBadRequest) return lokiError(c, 400, error.message);
  const state = (error as { code?: string; cause?: { code?: string; message?: string } }).cause?.code ?? (error as { code?: string }).code;
  if (state === "2201B") return lokiError(c, 400, `invalid regular expression: ${(error as { cause?: { message?: string } }).cause?.message ?? error.message}`);
  const problem = answerError(error, c);
  const body = (await problem.json()) as { status: number; title: string; detail?: string };
  const response = lokiError(c, body.status, body.detail ?? body.title);
  const retryAfter = problem.headers.get("retry-after");
  if (retryAfter) response.headers.set("retry-after", retryAfter);
  return response;
}

export function success(c: Context, data: unknown) {
  return c.json({ status: "success" as const, data }, 200);
}

/** Prometheus' text for a sample value: Go's shortest form, and its spellings of the specials. */
export function sampleValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

const stepSeconds = (steps: Steps, k: number) => (steps.startUs + k * steps.stepMs * 1000) / 1e6;

export function streamsResult(streams: Stream[]) {
  return {
    resultType: "streams",
    result: streams.map((s) => ({ stream: s.labels, values: s.entries.map((e) => [`${e.tsUs}000`, e.line]) })),
    stats: {},
  };
}

/** A value over the whole grid (query_range): series become a matrix, a number a series with no labels. */
export function matrixResult(value: Value, steps: Steps) {
  const series: Series[] =
    value.kind === "vector" ? value.series : [{ labels: {}, points: new Map(Array.from({ length: steps.count }, (_, k) => [k, value.value])) }];
  return {
    resultType: "matrix",
    result: sortByLabels(series.filter((s) => s.points.size > 0)).map((s) => ({
      metric: s.labels,
      values: [...s.points].sort(([a], [b]) => a - b).map(([k, v]) => [stepSeconds(steps, k), sampleValue(v)]),
    })),
    stats: {},
  };
}

/** A value at one instant (query): series become a vector, a number a scalar. */
export function instantResult(value: Value, steps: Steps) {
  const at = stepSeconds(steps, 0);
  if (value.kind === "scalar") return { resultType: "scalar", result: [at, sampleValue(value.value)], stats: {} };
  return {
    resultType: "vector",
    result: sortByLabels(value.series.filter((s) => s.points.has(0))).map((s) => ({ metric: s.labels, value: [at, sampleValue(s.points.get(0)!)] })),
    stats: {},
  };
}

function sortByLabels<T extends { labels: Labels }>(items: T[]): T[] {
  const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort());
  return items.sort((a, b) => (key(a.labels) < key(b.labels) ? -1 : key(a.labels) > key(b.labels) ? 1 : 0));
}
