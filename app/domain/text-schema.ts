import { z } from "@hono/zod-openapi";
import { unstorable } from "./text.ts";

/** A string field PostgreSQL can store (see text.ts), at most `max` characters: every free-text body field uses it. */
export const storableText = (max: number) =>
  z
    .string()
    .max(max)
    .superRefine((v, ctx) => {
      const why = unstorable(v);
      if (why) ctx.addIssue({ code: "custom", message: why });
    });
