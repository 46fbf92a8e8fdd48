-- An event sent without a message has none: NULL, not an empty string a reader cannot tell
-- from a message that was sent empty. Rows stored before keep their "".
ALTER TABLE "log_events" ALTER COLUMN "message" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "log_events" ALTER COLUMN "message" DROP NOT NULL;