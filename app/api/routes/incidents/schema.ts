import { z } from "@hono/zod-openapi";
import { nameSchema } from "../../../domain/names.ts";
import { storableText } from "../../../domain/text-schema.ts";
import { INCIDENT_STATUSES } from "../../../domain/vocabulary.ts";

const status = z.enum(INCIDENT_STATUSES);
const message = storableText(4000).pipe(z.string().min(1)).openapi({ example: "Payments fail for some cards; we are looking into it." });

export const IncidentId = z.object({ id: z.coerce.number().int().positive().openapi({ param: { name: "id", in: "path" }, example: 12 }) });

export const IncidentCreate = z
  .strictObject({
    title: storableText(200).pipe(z.string().min(1)).openapi({ example: "Card payments failing" }),
    services: z.array(nameSchema()).min(1).max(100).openapi({ description: "The services affected; the key must be able to change every one." }),
    status: status.default("investigating"),
    message,
  })
  .openapi("IncidentCreate");

export const IncidentUpdateCreate = z.strictObject({ status, message }).openapi("IncidentUpdateCreate");

export const Incident = z
  .object({
    id: z.number().int(),
    title: z.string(),
    status,
    started_at: z.string(),
    resolved_at: z.string().nullable(),
    services: z.array(z.string()),
    updates: z.array(z.object({ status, message: z.string(), at: z.string() })).openapi({ description: "Newest first." }),
  })
  .openapi("Incident");

export const IncidentList = z.object({ items: z.array(Incident) }).openapi("IncidentList");
export const IncidentListQuery = z.strictObject({
  include: z.enum(["open", "all"]).default("open").openapi({ description: "`open`: not resolved; `all`: resolved ones too." }),
});
