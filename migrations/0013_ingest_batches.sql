CREATE TABLE "ingest_batches" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"first_id" bigint NOT NULL,
	"last_id" bigint NOT NULL,
	"first_ts" timestamp (6) with time zone NOT NULL,
	"last_ts" timestamp (6) with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "ingest_batches_at_idx" ON "ingest_batches" USING btree ("at");--> statement-breakpoint
-- The API's runtime role writes a row with every batch it stores and reads them for live
-- tail; the owner (Failsight's maintenance) drops old ones. A row holds ids and times, no
-- log data and no service, so no row policy applies: what a tail shows is read from
-- log_events under its policies.
GRANT SELECT, INSERT ON ingest_batches TO failsight_runtime;--> statement-breakpoint
GRANT USAGE ON SEQUENCE ingest_batches_seq_seq TO failsight_runtime;
