import { defineConfig } from "drizzle-kit";

// Used only to generate migrations (`npm run db:generate`); the app applies them with
// drizzle's migrator at start-up. `push`/`pull` do not understand partitioned tables.
export default defineConfig({
  dialect: "postgresql",
  schema: "./app/db/schema.ts",
  out: "./migrations",
});
