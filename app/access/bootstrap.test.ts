import { expect, it } from "vitest";
import { freshDatabase } from "../test-support/fresh-database.ts";
import { testHarness } from "../test-support/harness.ts";
import { bootstrapAdmin } from "./bootstrap.ts";
import { generateKey } from "./key-format.ts";

// Revokes every admin key, so it runs on a database of its own: on the shared one it would
// lock every other file's admin caller out.
const h = testHarness({ databaseUrl: await freshDatabase() });

it("bootstraps the first admin key from FAILSIGHT_ADMIN_KEY when no admin key is left, and only then", async () => {
  await h.sql`UPDATE api_keys SET revoked_at = now() WHERE user_id IN (SELECT id FROM users WHERE role = 'admin')`;
  const fromEnv = generateKey().key;
  await bootstrapAdmin(h.sql, fromEnv, () => {});
  const admin = (path: string) => h.app.request(path, { headers: { authorization: `Bearer ${fromEnv}` } });
  expect((await admin("/admin/users")).status).toBe(200);
  await bootstrapAdmin(h.sql, generateKey().key, () => {}); // an admin key exists now: nothing changes
  expect((await h.sql`SELECT count(*)::int AS n FROM api_keys WHERE name = 'bootstrap admin key' AND revoked_at IS NULL`)[0]!.n).toBe(1);
});
