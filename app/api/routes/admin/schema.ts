import { z } from "@hono/zod-openapi";
import { storableText } from "../../../domain/text-schema.ts";
import { nameSchema } from "../../../domain/names.ts";
import { GRANT_ACCESS, KEY_KINDS, USER_ROLES } from "../../../domain/vocabulary.ts";

const name = nameSchema();
const RoleEnum = z.enum(USER_ROLES);

export const User = z.object({ id: z.number().int(), name: z.string(), role: RoleEnum, teams: z.array(z.string()), created_at: z.string() }).openapi("User");
export const UserCreate = z.strictObject({ name, role: RoleEnum.default("viewer"), teams: z.array(name).max(50).default([]) }).openapi("UserCreate");
export const Team = z.object({ name: z.string(), members: z.array(z.string()) }).openapi("Team");
export const TeamCreate = z.strictObject({ name }).openapi("TeamCreate");
export const Grant = z.object({ id: z.number().int(), service: z.string(), team: z.string().nullable(), user: z.string().nullable(), access: z.enum(GRANT_ACCESS) }).openapi("Grant");
export const GrantCreate = z
  .strictObject({ service: name, team: name.optional(), user: name.optional(), access: z.enum(GRANT_ACCESS).default("read") })
  .refine((g) => (g.team === undefined) !== (g.user === undefined), "give exactly one of team or user")
  .openapi("GrantCreate");
export const ApiKey = z
  .object({
    prefix: z.string().openapi({ description: "Identifies the key; not secret." }),
    name: z.string(),
    kind: z.enum(KEY_KINDS),
    user: z.string().nullable(),
    services: z.array(z.string()).openapi({ description: "What an ingest key may write." }),
    lenient: z.boolean().openapi({ description: "An ingest key whose native batches are read in lenient mode." }),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
  })
  .openapi("ApiKey");
export const ApiKeyCreated = ApiKey.extend({ key: z.string().openapi({ description: "The key itself: shown this once, stored only as a hash." }) }).openapi("ApiKeyCreated");
export const ApiKeyCreate = z
  .strictObject({
    name: storableText(200).pipe(z.string().min(1)),
    user: name.optional().openapi({ description: "A user key, acting with this user's role." }),
    services: z.array(name).min(1).max(500).optional().openapi({ description: "An ingest key, allowed to write only these services." }),
    expires_in_days: z.number().int().min(1).max(3650).optional(),
    lenient: z.boolean().optional().openapi({ description: "Ingest keys: read this key's native batches in lenient mode (aliases mapped, unknown fields kept in attributes)." }),
  })
  .refine((k) => (k.user === undefined) !== (k.services === undefined), "give exactly one of user (a user key) or services (an ingest key)")
  .openapi("ApiKeyCreate");
export const AuditEntry = z
  .object({
    id: z.number().int(),
    at: z.string(),
    user: z.string().nullable(),
    key_prefix: z.string().nullable(),
    role: z.string().openapi({ description: "viewer, operator, admin, ingest, system, or anonymous for a request refused before a key was accepted" }),
    method: z.string(),
    path: z.string(),
    route: z.string().nullable().openapi({ description: "The route template, e.g. /services/:name" }),
    status: z.number().int().nullable().openapi({ description: "The HTTP status answered: the outcome" }),
    filters: z.record(z.string(), z.unknown()),
    row_count: z.number().int(),
  })
  .openapi("AuditEntry");
