CREATE TABLE "sql_readers" (
	"role_name" text PRIMARY KEY NOT NULL,
	"team" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sql_readers" ADD CONSTRAINT "sql_readers_team_teams_name_fk" FOREIGN KEY ("team") REFERENCES "public"."teams"("name") ON DELETE cascade ON UPDATE no action;