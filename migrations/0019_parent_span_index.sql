-- Dependency inference looks for the events that name a parent span among those that
-- arrived since its last run. It read every event of a six-minute window to find them,
-- each minute: 0.9 s of CPU for 845,000 events, and each event read six times (#15). This
-- index holds only the events that name one, by arrival (app/db/schema.ts, NAMES_PARENT_SPAN).
CREATE INDEX "log_events_parent_span_idx" ON "log_events" USING btree ("received_at") WHERE attributes ? 'parent_span_id' AND trace_id IS NOT NULL;
