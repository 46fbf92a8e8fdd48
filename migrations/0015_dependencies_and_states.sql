ALTER TYPE "public"."service_state" ADD VALUE 'impacted';--> statement-breakpoint
ALTER TYPE "public"."service_state" ADD VALUE 'maintenance';--> statement-breakpoint
CREATE TABLE "service_dependencies" (
	"service_id" integer NOT NULL,
	"depends_on_id" integer NOT NULL,
	"declared" boolean DEFAULT false NOT NULL,
	"inferred_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_dependencies_service_id_depends_on_id_pk" PRIMARY KEY("service_id","depends_on_id"),
	CONSTRAINT "service_dependencies_not_self" CHECK ("service_dependencies"."service_id" <> "service_dependencies"."depends_on_id"),
	CONSTRAINT "service_dependencies_some_source" CHECK ("service_dependencies"."declared" OR "service_dependencies"."inferred_at" IS NOT NULL)
);
--> statement-breakpoint
ALTER TABLE "service_dependencies" ADD CONSTRAINT "service_dependencies_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_dependencies" ADD CONSTRAINT "service_dependencies_depends_on_id_services_id_fk" FOREIGN KEY ("depends_on_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "service_dependencies_depends_on_idx" ON "service_dependencies" USING btree ("depends_on_id");--> statement-breakpoint
-- An edge is seen by whoever may see both its services (the target's name is shown), and
-- declared or withdrawn by whoever may change the dependent; inferred edges are written
-- by Failsight itself.
ALTER TABLE service_dependencies ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE service_dependencies FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY service_dependencies_read ON service_dependencies FOR SELECT USING (
  (SELECT failsight_is_system())
  OR ((SELECT failsight_setting('role')) IN ('viewer', 'operator', 'admin')
      AND service_id IN (SELECT id FROM services) AND depends_on_id IN (SELECT id FROM services))
);
--> statement-breakpoint
CREATE POLICY service_dependencies_write ON service_dependencies FOR ALL USING (service_id IN (SELECT failsight_writable_services()))
  WITH CHECK (service_id IN (SELECT failsight_writable_services()));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON service_dependencies TO failsight_runtime;
