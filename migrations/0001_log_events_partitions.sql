-- Hand-written: drizzle-kit cannot express partitions (0000 declares log_events
-- PARTITION BY RANGE ("ts") by an edit made before it was ever applied).
--
-- One partition per calendar month in UTC, named log_events_pYYYY_MM, plus a DEFAULT
-- partition so an insert never fails for lack of a partition (events far in the past or
-- future land there until the partition controller moves them). The current month and
-- the next three are created here so a fresh install ingests before any maintenance runs.
CREATE TABLE "log_events_default" PARTITION OF "log_events" DEFAULT;
--> statement-breakpoint
DO $$
DECLARE
  month_start timestamptz;
BEGIN
  FOR i IN 0..3 LOOP
    month_start := date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + make_interval(months => i);
    EXECUTE format(
      'CREATE TABLE IF NOT EXISTS %I PARTITION OF log_events FOR VALUES FROM (%L) TO (%L)',
      'log_events_p' || to_char(month_start AT TIME ZONE 'UTC', 'YYYY_MM'),
      month_start,
      month_start + interval '1 month'
    );
  END LOOP;
END
$$;
