import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config.ts";
import { COMMANDS, RefusedError, UsageError, type Command, type Options } from "./cli/commands.ts";
import { NoDatabaseError, openDatabase } from "./cli/database.ts";
import { printResult } from "./cli/output.ts";

// `npm run failsight -- <command>`: administration straight on the database, as Failsight
// itself (a first setup, or no admin key at hand). Exit codes as HELP says.

const INVOKE = "npm run failsight --";

const HELP = `Failsight administration, straight on the database.

usage: ${INVOKE} <command> [arguments] [options]

${COMMANDS.map((c) => `  ${`${c.name} ${c.args}`.trim()}\n      ${c.summary}`).join("\n")}

  help [<command>]
      this text, or one command's

It works on OWNER_DATABASE_URL or DATABASE_URL when set; otherwise on the embedded
database of \`npm start\` (same FAILSIGHT_DATA_DIR and FAILSIGHT_EMBEDDED_PG_PORT), which it
starts for the command when \`npm start\` is not running. Lists print a table on a terminal
and JSON otherwise.

Exit codes: 0 done, 1 refused (a name taken, an object missing), 2 a wrong command line
or setting, 3 no database to work on.`;

const helpFor = (c: Command) => `usage: ${INVOKE} ${c.name} ${c.args}`.trim() + `\n\n${c.summary}`;

function exit(code: number, message?: string): never {
  if (message) (code === 0 ? console.log : console.error)(message);
  process.exit(code);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      role: { type: "string" },
      team: { type: "string", multiple: true },
      user: { type: "string" },
      service: { type: "string", multiple: true },
      access: { type: "string" },
      "expires-days": { type: "string" },
      "key-only": { type: "boolean" },
      lenient: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
} catch (error) {
  exit(2, `failsight: ${(error as Error).message}\nsee: ${INVOKE} help`);
}
const { positionals, values } = parsed;
const [noun, verb, ...args] = positionals;

if (!noun || (noun === "help" && !verb)) exit(0, HELP);
const wanted = noun === "help" ? [verb, args[0]].filter(Boolean).join(" ") : `${noun} ${verb ?? ""}`.trim();
const command = COMMANDS.find((c) => c.name === wanted);
if (!command) {
  const family = COMMANDS.filter((c) => c.name.startsWith(`${wanted.split(" ")[0]} `)).map((c) => c.name);
  exit(2, `failsight: unknown command "${wanted}"${family.length ? `; did you mean: ${family.join(", ")}` : ""}\nsee: ${INVOKE} help`);
}
if (noun === "help" || values.help) exit(0, helpFor(command));

const options = values as Options;
try {
  if (!command.database) {
    printResult(await command.run(args, options, undefined as never), options);
  } else {
    const config = loadConfig();
    const db = await openDatabase(config);
    try {
      printResult(await command.run(args, options, db.sql), options);
    } finally {
      await db.close();
    }
  }
  if (command.name === "keys create" && !options["key-only"]) console.error("\nThe key above is shown this once: only its hash is kept.");
} catch (error) {
  if (error instanceof UsageError) exit(2, `failsight ${command.name}: ${error.message}\n${helpFor(command)}`);
  if (error instanceof RefusedError) exit(1, `failsight ${command.name}: ${error.message}`);
  if (error instanceof ConfigError) exit(2, `failsight: ${error.message}`);
  if (error instanceof NoDatabaseError) exit(3, `failsight: ${error.message}`);
  exit(1, `failsight ${command.name}: ${(error as Error).message}`);
}
