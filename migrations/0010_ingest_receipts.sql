CREATE TABLE "ingest_receipts" (
	"source" text NOT NULL,
	"message_id" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ingest_receipts_source_message_id_pk" PRIMARY KEY("source","message_id")
);
--> statement-breakpoint
CREATE INDEX "ingest_receipts_received_at_idx" ON "ingest_receipts" USING btree ("received_at");--> statement-breakpoint
-- The API's runtime role records and reads receipts in an ingest transaction, and drops
-- old ones; they hold no log data (a source and a message id), so no row policy applies.
GRANT SELECT, INSERT, DELETE ON ingest_receipts TO failsight_runtime;
