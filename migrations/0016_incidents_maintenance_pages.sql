CREATE TYPE "public"."incident_status" AS ENUM('investigating', 'identified', 'monitoring', 'resolved');--> statement-breakpoint
CREATE TABLE "incident_services" (
	"incident_id" integer NOT NULL,
	"service_id" integer NOT NULL,
	CONSTRAINT "incident_services_incident_id_service_id_pk" PRIMARY KEY("incident_id","service_id")
);
--> statement-breakpoint
CREATE TABLE "incident_updates" (
	"id" serial PRIMARY KEY NOT NULL,
	"incident_id" integer NOT NULL,
	"status" "incident_status" NOT NULL,
	"message" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" serial PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"status" "incident_status" DEFAULT 'investigating' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "maintenance_services" (
	"window_id" integer NOT NULL,
	"service_id" integer NOT NULL,
	CONSTRAINT "maintenance_services_window_id_service_id_pk" PRIMARY KEY("window_id","service_id")
);
--> statement-breakpoint
CREATE TABLE "maintenance_windows" (
	"id" serial PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "maintenance_windows_ends_after_start" CHECK ("maintenance_windows"."ends_at" > "maintenance_windows"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "status_pages" (
	"slug" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"public" boolean DEFAULT false NOT NULL,
	"services" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "incident_services" ADD CONSTRAINT "incident_services_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_services" ADD CONSTRAINT "incident_services_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_updates" ADD CONSTRAINT "incident_updates_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenance_services" ADD CONSTRAINT "maintenance_services_window_id_maintenance_windows_id_fk" FOREIGN KEY ("window_id") REFERENCES "public"."maintenance_windows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenance_services" ADD CONSTRAINT "maintenance_services_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "incident_services_service_idx" ON "incident_services" USING btree ("service_id");--> statement-breakpoint
CREATE INDEX "incident_updates_incident_idx" ON "incident_updates" USING btree ("incident_id","at");--> statement-breakpoint
CREATE INDEX "maintenance_services_service_idx" ON "maintenance_services" USING btree ("service_id");--> statement-breakpoint
CREATE INDEX "maintenance_windows_ends_idx" ON "maintenance_windows" USING btree ("ends_at");--> statement-breakpoint
-- Maintenance windows and incidents are seen through the services they cover: a link row
-- is seen by whoever sees its service and written by whoever may change it; the window or
-- incident itself is seen when one of its links is, made by operators and admins, and
-- changed by an admin or an operator who may change one of its services (the API also
-- requires every service it covers to be theirs).
ALTER TABLE maintenance_services ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE maintenance_services FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY maintenance_services_read ON maintenance_services FOR SELECT USING (
  (SELECT failsight_is_system()) OR ((SELECT failsight_setting('role')) IN ('viewer', 'operator', 'admin') AND service_id IN (SELECT id FROM services))
);
--> statement-breakpoint
CREATE POLICY maintenance_services_write ON maintenance_services FOR ALL USING (service_id IN (SELECT failsight_writable_services()))
  WITH CHECK (service_id IN (SELECT failsight_writable_services()));
--> statement-breakpoint
ALTER TABLE incident_services ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE incident_services FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY incident_services_read ON incident_services FOR SELECT USING (
  (SELECT failsight_is_system()) OR ((SELECT failsight_setting('role')) IN ('viewer', 'operator', 'admin') AND service_id IN (SELECT id FROM services))
);
--> statement-breakpoint
CREATE POLICY incident_services_write ON incident_services FOR ALL USING (service_id IN (SELECT failsight_writable_services()))
  WITH CHECK (service_id IN (SELECT failsight_writable_services()));
--> statement-breakpoint
ALTER TABLE maintenance_windows ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE maintenance_windows FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY maintenance_windows_read ON maintenance_windows FOR SELECT USING (
  (SELECT failsight_is_system()) OR id IN (SELECT window_id FROM maintenance_services)
);
--> statement-breakpoint
CREATE POLICY maintenance_windows_insert ON maintenance_windows FOR INSERT WITH CHECK (
  (SELECT failsight_is_system()) OR (SELECT failsight_setting('role')) IN ('operator', 'admin')
);
--> statement-breakpoint
CREATE POLICY maintenance_windows_change ON maintenance_windows FOR UPDATE USING (
  (SELECT failsight_is_system()) OR (SELECT failsight_setting('role')) = 'admin'
  OR ((SELECT failsight_setting('role')) = 'operator' AND id IN (SELECT window_id FROM maintenance_services WHERE service_id IN (SELECT failsight_writable_services())))
);
--> statement-breakpoint
CREATE POLICY maintenance_windows_delete ON maintenance_windows FOR DELETE USING (
  (SELECT failsight_is_system()) OR (SELECT failsight_setting('role')) = 'admin'
  OR ((SELECT failsight_setting('role')) = 'operator' AND id IN (SELECT window_id FROM maintenance_services WHERE service_id IN (SELECT failsight_writable_services())))
);
--> statement-breakpoint
ALTER TABLE incidents ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE incidents FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY incidents_read ON incidents FOR SELECT USING (
  (SELECT failsight_is_system()) OR id IN (SELECT incident_id FROM incident_services)
);
--> statement-breakpoint
CREATE POLICY incidents_insert ON incidents FOR INSERT WITH CHECK (
  (SELECT failsight_is_system()) OR (SELECT failsight_setting('role')) IN ('operator', 'admin')
);
--> statement-breakpoint
CREATE POLICY incidents_change ON incidents FOR UPDATE USING (
  (SELECT failsight_is_system()) OR (SELECT failsight_setting('role')) = 'admin'
  OR ((SELECT failsight_setting('role')) = 'operator' AND id IN (SELECT incident_id FROM incident_services WHERE service_id IN (SELECT failsight_writable_services())))
);
--> statement-breakpoint
CREATE POLICY incidents_delete ON incidents FOR DELETE USING (
  (SELECT failsight_is_system()) OR (SELECT failsight_setting('role')) = 'admin'
  OR ((SELECT failsight_setting('role')) = 'operator' AND id IN (SELECT incident_id FROM incident_services WHERE service_id IN (SELECT failsight_writable_services())))
);
--> statement-breakpoint
-- An update is seen with its incident and written by whoever may change it.
ALTER TABLE incident_updates ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE incident_updates FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY incident_updates_read ON incident_updates FOR SELECT USING (incident_id IN (SELECT id FROM incidents));
--> statement-breakpoint
CREATE POLICY incident_updates_write ON incident_updates FOR INSERT WITH CHECK (
  (SELECT failsight_is_system()) OR (SELECT failsight_setting('role')) = 'admin'
  OR ((SELECT failsight_setting('role')) = 'operator' AND incident_id IN (SELECT incident_id FROM incident_services WHERE service_id IN (SELECT failsight_writable_services())))
);
--> statement-breakpoint
-- Status pages name services but hold no log data; admins manage them through the API, and
-- a page shows only what Failsight itself evaluated (status/page-data.ts), never a query
-- run for an anonymous caller.
GRANT SELECT, INSERT, UPDATE, DELETE ON maintenance_windows, maintenance_services, incidents, incident_services, incident_updates, status_pages TO failsight_runtime;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE maintenance_windows_id_seq, incidents_id_seq, incident_updates_id_seq TO failsight_runtime;
