import { z } from "@hono/zod-openapi";
import type { Actor } from "../../../domain/actor.ts";
import type { Sql } from "../../../db/client.ts";
import { asActor } from "../../../db/scoped.ts";
import type { AppDeps } from "../../deps.ts";
import { defineRoute } from "../../route.ts";

/** `GET <path>`: every row of one kind, as `{ items: [...] }`, for admins. */
export function adminListRoute<T extends z.ZodType>(path: string, summary: string, item: T) {
  return defineRoute({
    method: "get",
    path,
    tags: ["admin"],
    access: "admin",
    summary,
    request: { query: z.strictObject({}) },
    responses: { 200: { description: summary, content: { "application/json": { schema: z.object({ items: z.array(item) }) } } } },
  });
}

/** Runs `work` in the caller's transaction (the route's guard has admitted the caller). */
export function asCaller<T>(deps: AppDeps, actor: Actor, work: (sql: Sql) => Promise<T>): Promise<T> {
  return asActor(deps.sql, actor, ({ sql }) => work(sql));
}
