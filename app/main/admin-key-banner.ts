/**
 * The first admin key, as a box a person cannot miss in a terminal, saying what to do
 * with it. (Log collectors get a JSON line instead: see serve.ts.)
 */
export function adminKeyBanner(key: string, port: number): string {
  const lines = [
    "Failsight made the first admin API key. It is shown this once:",
    "",
    `    ${key}`,
    "",
    "Keep it somewhere safe (a password manager), then, in another terminal:",
    "",
    `    export FAILSIGHT_KEY=${key}`,
    `    curl -s localhost:${port}/services -H "authorization: Bearer $FAILSIGHT_KEY"`,
    "",
    "Lost it? Make another: npm run failsight -- keys create mine --user admin",
  ];
  const width = Math.max(...lines.map((l) => l.length));
  const rule = "─".repeat(width + 2);
  return [`┌${rule}┐`, ...lines.map((l) => `│ ${l.padEnd(width)} │`), `└${rule}┘`, ""].join("\n");
}
