import { createKey, listKeys, revokeKey } from "../../access/api-keys.ts";
import { generateKey } from "../../access/key-format.ts";
import { addMember, createGrant, createTeam, createUser, listGrants, listTeams, listUsers } from "../../access/repository.ts";
import { listSqlReaders, registerSqlReader, removeSqlReader } from "../../access/sql-readers.ts";
import type { Sql } from "../../db/client.ts";
import { asActor } from "../../db/scoped.ts";
import { SYSTEM } from "../../domain/actor.ts";
import { GRANT_ACCESS, USER_ROLES, type GrantAccess, type Role } from "../../domain/vocabulary.ts";
import { listServices } from "../../services/repository.ts";

/** The command cannot do what was asked (a name taken, an object missing): exit code 1. */
export class RefusedError extends Error {
  override name = "RefusedError";
}
/** The command line is wrong: exit code 2, with the command's usage. */
export class UsageError extends Error {
  override name = "UsageError";
}

export type Options = { role?: string; team?: string[]; user?: string; service?: string[]; access?: string; "expires-days"?: string; "key-only"?: boolean; lenient?: boolean };

export type Command = {
  /** `noun verb`, as typed. */
  name: string;
  /** What follows the name. */
  args: string;
  summary: string;
  /** false: runs without a database. */
  database: boolean;
  run: (args: string[], options: Options, sql: Sql) => Promise<unknown>;
};

const need = <T>(value: T | undefined | null | "", what: string): T => {
  if (value === undefined || value === null || value === "") throw new UsageError(`missing ${what}`);
  return value;
};
const refused = (message: string): never => {
  throw new RefusedError(message);
};
const oneOf = <T extends string>(value: string, allowed: readonly T[], what: string): T => {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${what} must be one of ${allowed.join(", ")}`);
  return value as T;
};

export const COMMANDS: readonly Command[] = [
  {
    name: "users create",
    args: "<name> [--role viewer|operator|admin] [--team <team>]...",
    summary: "add a user (default role viewer), in the teams named",
    database: true,
    run: async ([name], o, sql) => (await createUser(sql, need(name, "the user's name"), oneOf<Role>(o.role ?? "viewer", USER_ROLES, "--role"), o.team ?? [])) ?? refused(`a user named ${name} exists`),
  },
  { name: "users list", args: "", summary: "every user, with role and teams", database: true, run: (_a, _o, sql) => listUsers(sql) },
  {
    name: "teams create",
    args: "<name>",
    summary: "add a team; it owns the services whose owner_team names it",
    database: true,
    run: async ([name], _o, sql) => ((await createTeam(sql, need(name, "the team's name"))) ? { team: name } : refused(`a team named ${name} exists`)),
  },
  { name: "teams list", args: "", summary: "every team, with its members", database: true, run: (_a, _o, sql) => listTeams(sql) },
  {
    name: "teams add-member",
    args: "<team> <user>",
    summary: "put a user in a team",
    database: true,
    run: async ([team, user], _o, sql) => ((await addMember(sql, need(team, "the team"), need(user, "the user"))) ? { team, member: user } : refused(`no team ${team}, or no user ${user}`)),
  },
  {
    name: "grants create",
    args: "<service> (--team <team> | --user <user>) [--access read|write]",
    summary: "entitle a team or a user to a service (write also lets operators ingest)",
    database: true,
    run: async ([service], o, sql) => {
      if (!o.team?.[0] && !o.user) throw new UsageError("give --team <team> or --user <user>");
      const to = o.team?.[0] ? { team: o.team[0] } : { user: o.user! };
      return (await createGrant(sql, need(service, "the service"), to, oneOf<GrantAccess>(o.access ?? "read", GRANT_ACCESS, "--access"))) ?? refused(`no service ${service}, or no ${o.team?.[0] ? `team ${o.team[0]}` : `user ${o.user}`}`);
    },
  },
  { name: "grants list", args: "", summary: "every grant", database: true, run: (_a, _o, sql) => listGrants(sql) },
  {
    name: "keys create",
    args: "<name> (--user <user> | --service <service>... [--lenient]) [--expires-days <n>] [--key-only]",
    summary: "make a user key or an ingest key (--lenient: its native batches read leniently); shown this once (--key-only prints just the key)",
    database: true,
    run: async ([name], o, sql) => {
      if (!o.user && !o.service?.length) throw new UsageError("give --user <user> for a user key, or --service <service> for an ingest key");
      const days = o["expires-days"] === undefined ? undefined : Number(o["expires-days"]);
      if (days !== undefined && !(Number.isInteger(days) && days > 0)) throw new UsageError("--expires-days must be a whole number of days");
      const key = await createKey(sql, { name: need(name, "the key's name"), ...(o.user ? { user: o.user } : { services: o.service! }), ...(days ? { expiresInDays: days } : {}), lenient: o.lenient === true });
      return key ?? refused(`no user named ${o.user}`);
    },
  },
  { name: "keys list", args: "", summary: "every key (never its secret)", database: true, run: (_a, _o, sql) => listKeys(sql) },
  {
    name: "keys revoke",
    args: "<prefix>",
    summary: "revoke a key at once",
    database: true,
    run: async ([prefix], _o, sql) => (await revokeKey(sql, need(prefix, "the key's prefix"))) ?? refused(`no key ${prefix}`),
  },
  { name: "keys generate", args: "", summary: "print a new key for FAILSIGHT_ADMIN_KEY (touches no database)", database: false, run: async () => generateKey().key },
  {
    name: "services list",
    args: "",
    summary: "every service Failsight knows, with owner, tier and thresholds",
    database: true,
    run: (_a, _o, sql) => asActor(sql, SYSTEM, ({ db }) => listServices(db)),
  },
  {
    name: "readers add",
    args: "<role> <team>",
    summary: "let a database login role (e.g. Grafana's) read as a team over SQL",
    database: true,
    run: async ([role, team], _o, sql) =>
      (await registerSqlReader(sql, need(role, "the database role"), need(team, "the team"))) ? { role, team } : refused(`no database role ${role} or no team ${team} (create the role first: CREATE ROLE ${role} LOGIN PASSWORD '...')`),
  },
  { name: "readers list", args: "", summary: "the SQL readers and their teams", database: true, run: (_a, _o, sql) => listSqlReaders(sql) },
  {
    name: "readers remove",
    args: "<role>",
    summary: "stop a database role reading",
    database: true,
    run: async ([role], _o, sql) => ((await removeSqlReader(sql, need(role, "the database role"))) ? { removed: role } : refused(`no reader ${role}`)),
  },
];
