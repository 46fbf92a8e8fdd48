import type { Context } from "hono";
import type { Endpoint } from "../../../ingest/formats/registry.ts";
import { Intake } from "../../../ingest/intake.ts";
import { MAX_BODY_BYTES } from "../../../ingest/limits.ts";
import type { AuditEnv } from "../../audit-trail.ts";
import type { AppDeps } from "../../deps.ts";
import { readBody } from "../../request-body.ts";

/** One intake per app, shared by every ingest route, so the byte budget and work slots are one; entry points hand theirs in (deps.intake). */
const intakes = new WeakMap<AppDeps, Intake>();
export function intakeFor(deps: AppDeps): Intake {
  let intake = deps.intake ?? intakes.get(deps);
  if (!intake) {
    intake = new Intake({ sql: deps.sql, serviceIds: deps.serviceIds, now: deps.now });
    intakes.set(deps, intake);
  }
  return intake;
}

/**
 * An ingest request handed to the intake, and the format's answer sent back: the body is
 * the intake's to read (it may be gzip, snappy or protobuf, and bad records are reported one
 * by one), so zod-openapi only documents these routes.
 */
export function deliver(deps: AppDeps, endpoint: Endpoint, route: string) {
  return async (c: Context<AuditEnv>) => {
    const outcome = await intakeFor(deps).accept({
      actor: c.get("actor"),
      endpoint,
      lenient: /^(1|true|yes)$/i.test(c.req.query("lenient") ?? c.req.header("x-failsight-lenient") ?? ""),
      body: await readBody(c, MAX_BODY_BYTES),
      contentType: c.req.header("content-type"),
      encoding: c.req.header("content-encoding"),
      audit: { method: c.req.method, path: c.req.path, route },
    });
    c.set("audit", "recorded");
    const answer = outcome.format.answer(outcome.stored, outcome.rejected);
    if (answer.body === undefined) return c.body(null, answer.status as 204);
    return c.body(answer.body as string, answer.status as 200 | 400, answer.contentType ? { "content-type": answer.contentType } : {});
  };
}
