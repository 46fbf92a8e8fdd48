import type { Severity } from "./vocabulary.ts";

/**
 * One log event as every ingest format hands it on: whatever the wire format (native
 * JSON, and the shippers' formats), the pipeline, the batch writer and the metrics see
 * only this.
 */
export type LogEvent = {
  service: string;
  timestamp: Date;
  level: Severity;
  message?: string;
  method?: string;
  route?: string;
  status?: number;
  error_code?: string;
  latency_ms?: number;
  trace_id?: string;
  span_id?: string;
  attributes?: Record<string, unknown>;
};
