import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A folder of the test's own under the system temp folder, open to other users: as root,
 * the embedded PostgreSQL runs as `postgres`, which must reach its data inside (a 700
 * folder made it move the data elsewhere, out of the test's cleanup). `remove()` deletes
 * it and everything in it.
 */
export function tempFolder(prefix: string): { path: string; remove: () => void } {
  const folder = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  chmodSync(folder, 0o755);
  return { path: folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}
