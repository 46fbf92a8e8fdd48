// The layers of app/, bottom first. An import may run down or across a layer, never up;
// app/test-support/code-shape.ts measures it and app/architecture.test.ts holds it.
export const LAYERS = ["domain", "platform", "db", "features", "adapters", "main"] as const;
export type Layer = (typeof LAYERS)[number];

/** Folders (or files) of app/ and their layer; the longest matching prefix wins. */
const PLACES: Record<string, Layer> = {
  "app/domain/": "domain",
  "app/log.ts": "platform",
  "app/with-timeout.ts": "platform",
  "app/periodic.ts": "platform",
  "app/layers.ts": "platform",
  "app/version.ts": "platform",
  "app/metrics/": "platform",
  "app/db/": "db",
  "app/access/": "features",
  "app/auth/": "features",
  "app/services/": "features",
  "app/logs/": "features",
  "app/status/": "features",
  "app/ingest/": "features",
  "app/partitions/": "features",
  "app/checks/": "features",
  "app/incidents/": "features",
  "app/status-pages/": "features",
  "app/rollups/": "features",
  "app/api/": "adapters",
  "app/controller/": "adapters",
  "app/config.ts": "main",
  "app/main/": "main",
};

export function layerOf(file: string): Layer {
  const match = Object.keys(PLACES)
    .filter((prefix) => file === prefix || (prefix.endsWith("/") && file.startsWith(prefix)))
    .sort((a, b) => b.length - a.length)[0];
  if (!match) throw new Error(`${file} is in no layer; add its folder to app/layers.ts`);
  return PLACES[match]!;
}
