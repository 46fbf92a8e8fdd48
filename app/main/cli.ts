import { parseArgs } from "node:util";
import { addMember, createGrant, createTeam, createUser, listUsers } from "../access/repository.ts";
import { createKey, listKeys, revokeKey } from "../access/api-keys.ts";
import { generateKey } from "../access/key-format.ts";
import { listSqlReaders, registerSqlReader, removeSqlReader } from "../access/sql-readers.ts";
import { createDb } from "../db/client.ts";

// `npm run failsight -- <command>`: administration straight on the database, as Failsight
// itself (for a first setup, or when no admin key is at hand). DATABASE_URL, or the
// database `npm start` runs.
const HELP = `usage: npm run failsight -- <command> [options]

  users create <name> [--role viewer|operator|admin] [--team <team>]...
  users list
  teams create <name>
  teams add-member <team> <user>
  grants create <service> (--team <team> | --user <user>) [--access read|write]
  keys create <name> (--user <user> | --service <service>...) [--expires-days <n>]
  keys list
  keys revoke <prefix>
  keys generate          print a new key for FAILSIGHT_ADMIN_KEY (touches no database)
  readers add <role> <team>    let a database login role (e.g. Grafana's) read as a team
  readers list
  readers remove <role>

Connects to DATABASE_URL, or to the embedded database of \`npm start\` on
127.0.0.1:\${FAILSIGHT_EMBEDDED_PG_PORT:-54329}.`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    role: { type: "string" },
    team: { type: "string", multiple: true },
    user: { type: "string" },
    service: { type: "string", multiple: true },
    access: { type: "string" },
    "expires-days": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
const [noun, verb, ...args] = positionals;
const fail = (message: string): never => {
  console.error(`${message}\n\n${HELP}`);
  process.exit(2);
};

if (values.help || !noun) {
  console.log(HELP);
  process.exit(noun ? 0 : 2);
}
if (noun === "keys" && verb === "generate") {
  console.log(generateKey().key);
  process.exit(0);
}

const url = process.env.DATABASE_URL || `postgres://failsight:failsight@127.0.0.1:${process.env.FAILSIGHT_EMBEDDED_PG_PORT ?? 54329}/failsight`;
const { sql } = createDb(url, { max: 1, applicationName: "failsight-cli", systemScope: true });
const out = (value: unknown) => console.log(JSON.stringify(value, null, 2));
try {
  const name = args[0];
  switch (`${noun} ${verb}`) {
    case "users create": {
      const role = (values.role ?? "viewer") as "viewer" | "operator" | "admin";
      if (!name || !["viewer", "operator", "admin"].includes(role)) fail("users create needs a name and a role of viewer, operator or admin");
      out((await createUser(sql, name!, role, values.team ?? [])) ?? fail(`a user named ${name} exists`));
      break;
    }
    case "users list":
      out(await listUsers(sql));
      break;
    case "teams create":
      if (!name) fail("teams create needs a name");
      if (!(await createTeam(sql, name!))) fail(`a team named ${name} exists`);
      out({ team: name });
      break;
    case "teams add-member":
      if (!name || !args[1]) fail("teams add-member needs a team and a user");
      if (!(await addMember(sql, name!, args[1]!))) fail(`no team ${name} or no user ${args[1]}`);
      out({ team: name, member: args[1] });
      break;
    case "grants create": {
      const to = values.team?.[0] ? { team: values.team[0] } : values.user ? { user: values.user } : fail("grants create needs --team or --user");
      const access = (values.access ?? "read") as "read" | "write";
      out((await createGrant(sql, name ?? fail("grants create needs a service"), to, access)) ?? fail("no such service, team or user"));
      break;
    }
    case "keys create": {
      if (!name || (!values.user && !values.service?.length)) fail("keys create needs a name and --user or --service");
      const days = values["expires-days"] ? Number(values["expires-days"]) : undefined;
      const key = await createKey(sql, { name: name!, ...(values.user ? { user: values.user } : { services: values.service! }), ...(days ? { expiresInDays: days } : {}) });
      if (!key) fail(`no user named ${values.user}`);
      out(key);
      console.error("\nThe key above is shown this once: only its hash is kept.");
      break;
    }
    case "keys list":
      out(await listKeys(sql));
      break;
    case "keys revoke":
      out((await revokeKey(sql, name ?? fail("keys revoke needs a prefix"))) ?? fail(`no key ${name}`));
      break;
    case "readers add":
      if (!name || !args[1]) fail("readers add needs a database role and a team");
      if (!(await registerSqlReader(sql, name!, args[1]!))) fail(`no database role ${name} or no team ${args[1]} (create the role first: CREATE ROLE ${name} LOGIN PASSWORD '...')`);
      out({ role: name, team: args[1] });
      break;
    case "readers list":
      out(await listSqlReaders(sql));
      break;
    case "readers remove":
      if (!(await removeSqlReader(sql, name ?? fail("readers remove needs a role")))) fail(`no reader ${name}`);
      out({ removed: name });
      break;
    default:
      fail(`unknown command: ${noun} ${verb ?? ""}`);
  }
} finally {
  await sql.end();
}
