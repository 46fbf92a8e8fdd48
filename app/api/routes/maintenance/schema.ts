import { z } from "@hono/zod-openapi";
import { nameSchema } from "../../../domain/names.ts";
import { storableText } from "../../../domain/text-schema.ts";

export const MaintenanceId = z.object({ id: z.coerce.number().int().positive().openapi({ param: { name: "id", in: "path" }, example: 7 }) });

export const MaintenanceCreate = z
  .strictObject({
    title: storableText(200).pipe(z.string().min(1)).openapi({ example: "Database upgrade to PostgreSQL 17" }),
    description: storableText(4000).optional(),
    starts_at: z.iso.datetime({ offset: true }).openapi({ example: "2026-12-01T02:00:00Z" }),
    ends_at: z.iso.datetime({ offset: true }).openapi({ example: "2026-12-01T03:00:00Z" }),
    services: z.array(nameSchema()).min(1).max(100).openapi({ description: "The services it holds; the key must be able to change every one." }),
  })
  .refine((w) => Date.parse(w.ends_at) > Date.parse(w.starts_at), { message: "must be after starts_at", path: ["ends_at"] })
  .openapi("MaintenanceCreate");

export const Maintenance = z
  .object({ id: z.number().int(), title: z.string(), description: z.string().nullable(), starts_at: z.string(), ends_at: z.string(), services: z.array(z.string()), active: z.boolean() })
  .openapi("Maintenance");

export const MaintenanceList = z.object({ items: z.array(Maintenance) }).openapi("MaintenanceList");
export const MaintenanceListQuery = z.strictObject({
  include: z.enum(["current", "all"]).default("current").openapi({ description: "`current`: windows on now or ahead; `all`: ended ones too." }),
});
