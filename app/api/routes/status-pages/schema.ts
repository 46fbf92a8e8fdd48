import { z } from "@hono/zod-openapi";
import { nameSchema } from "../../../domain/names.ts";
import { storableText } from "../../../domain/text-schema.ts";
import { SERVICE_STATES } from "../../../domain/vocabulary.ts";

export const PageSlug = z.object({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be lowercase letters, digits and dashes").openapi({ param: { name: "slug", in: "path" }, example: "shop" }),
});

export const StatusPagePut = z
  .strictObject({
    title: storableText(200).pipe(z.string().min(1)).openapi({ example: "Example Shop" }),
    description: storableText(1000).optional(),
    public: z.boolean().default(false).openapi({ description: "Open to anyone without a key. Otherwise a key (Basic, the key as the password, for a browser) that may see every service listed." }),
    services: z.array(nameSchema()).min(1).max(100).refine((names) => new Set(names).size === names.length, "names each service once").openapi({ description: "Shown in this order." }),
  })
  .openapi("StatusPagePut");

export const StatusPageConfig = z
  .object({ slug: z.string(), title: z.string(), description: z.string().nullable(), public: z.boolean(), services: z.array(z.string()), url: z.string() })
  .openapi("StatusPageConfig");

export const StatusPageConfigList = z.object({ items: z.array(StatusPageConfig) }).openapi("StatusPageConfigList");

export const StatusPageView = z
  .object({
    title: z.string(),
    description: z.string().nullable(),
    generated_at: z.string(),
    services: z.array(
      z.object({
        name: z.string(),
        state: z.enum(SERVICE_STATES),
        reason: z.string(),
        impacted_by: z.array(z.string()),
        uptime: z.number().nullable().openapi({ description: "Over the days shown." }),
        days: z.array(z.object({ day: z.string(), uptime: z.number().nullable() })).openapi({ description: "One per UTC day, oldest first, today so far last." }),
      }),
    ),
    incidents: z.array(z.object({ id: z.number().int(), title: z.string(), status: z.string(), started_at: z.string(), resolved_at: z.string().nullable(), services: z.array(z.string()) })),
    maintenance: z.array(z.object({ id: z.number().int(), title: z.string(), starts_at: z.string(), ends_at: z.string(), services: z.array(z.string()) })),
  })
  .openapi("StatusPageView");
