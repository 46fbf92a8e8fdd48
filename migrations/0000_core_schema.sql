CREATE TYPE "public"."service_state" AS ENUM('up', 'degraded', 'down', 'unknown');--> statement-breakpoint
CREATE TYPE "public"."severity" AS ENUM('trace', 'debug', 'info', 'warn', 'error', 'fatal');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('viewer', 'operator', 'admin');--> statement-breakpoint
CREATE TABLE "log_events" (
	"ts" timestamp (6) with time zone NOT NULL,
	"id" bigserial NOT NULL,
	"service_id" integer NOT NULL,
	"level" "severity" NOT NULL,
	"message" text DEFAULT '' NOT NULL,
	"http_method" text,
	"http_route" text,
	"http_status" smallint,
	"error_code" text,
	"latency_ms" double precision,
	"trace_id" text,
	"span_id" text,
	"attributes" jsonb,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "log_events_ts_id_pk" PRIMARY KEY("ts","id")
) PARTITION BY RANGE ("ts");
--> statement-breakpoint
CREATE TABLE "services" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"type" text DEFAULT 'service' NOT NULL,
	"owner_team" text,
	"tier" smallint,
	"thresholds" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "services_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "status_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"service_id" integer NOT NULL,
	"from_state" "service_state" NOT NULL,
	"to_state" "service_state" NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"reason" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" "user_role" DEFAULT 'viewer' NOT NULL,
	"team" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "log_events" ADD CONSTRAINT "log_events_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_events" ADD CONSTRAINT "status_events_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "log_events_service_ts_idx" ON "log_events" USING btree ("service_id","ts","id");--> statement-breakpoint
CREATE INDEX "log_events_status_ts_idx" ON "log_events" USING btree ("http_status","ts") WHERE "log_events"."http_status" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "log_events_error_code_ts_idx" ON "log_events" USING btree ("error_code","ts") WHERE "log_events"."error_code" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "log_events_trace_id_idx" ON "log_events" USING btree ("trace_id") WHERE "log_events"."trace_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "status_events_service_at_idx" ON "status_events" USING btree ("service_id","at");