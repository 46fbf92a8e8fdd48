// Mutation testing of the code that guards data: `npm run mutate` (not part of npm test; it
// takes a few minutes). Each mutant is one deliberate weakening of a policy, entitlement
// check, cursor or input check, partition plan or alert rule; the tests that cover that
// code run against it, and a mutant that leaves them green "survives". Every survivor
// needs a new test or a reason (kept next to it as `expected`). The file is restored from
// its saved content after each mutant, whatever happens.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

type Mutant = { name: string; file: string; from: string; to: string; tests: string[]; expected?: string; everywhere?: boolean };

const ACCESS = ["app/api/route-matrix.test.ts", "app/db/policies.test.ts", "app/ingest/ingest-seams.test.ts"];
const MUTANTS: Mutant[] = [
  { name: "services_read ignores the ingest key's scope", file: "migrations/0007_database_roles.sql", from: "OR ((SELECT failsight_setting('role')) = 'ingest' AND name IN (SELECT failsight_ingest_scope()))\n  OR owner_team", to: "OR ((SELECT failsight_setting('role')) = 'ingest')\n  OR owner_team", tests: ACCESS },
  { name: "log_events_insert lets an ingest key write any service", file: "migrations/0007_database_roles.sql", from: "OR ((SELECT failsight_setting('role')) = 'ingest' AND service_id IN (SELECT id FROM services))", to: "OR ((SELECT failsight_setting('role')) = 'ingest')", tests: ACCESS },
  { name: "services_update: a read grant lets an operator write", file: "migrations/0007_database_roles.sql", from: "OR id IN (SELECT failsight_granted_services('write'))))\n);", to: "OR id IN (SELECT failsight_granted_services('read'))))\n);", tests: ACCESS },
  { name: "log_events_insert: a read grant lets an operator write", file: "migrations/0007_database_roles.sql", from: "UNION SELECT failsight_granted_services('write'))", to: "UNION SELECT failsight_granted_services('read'))", tests: ACCESS },
  { name: "log_events_read shows every row to any user role", file: "migrations/0007_database_roles.sql", from: "(SELECT failsight_reader_team(current_user)) IS NOT NULL)\n      AND service_id IN (SELECT id FROM services))\n);\n--> statement-breakpoint\nDROP POLICY log_events_insert", to: "(SELECT failsight_reader_team(current_user)) IS NOT NULL))\n);\n--> statement-breakpoint\nDROP POLICY log_events_insert", tests: ACCESS },
  { name: "services_insert: an operator registers for any team", file: "migrations/0007_database_roles.sql", from: "= 'operator' AND owner_team IN (SELECT failsight_user_teams()))", to: "= 'operator')", tests: ACCESS },
  { name: "audit_log readable by every role", file: "migrations/0007_database_roles.sql", from: "FOR SELECT USING ((SELECT failsight_is_system()) OR (SELECT failsight_setting('role')) = 'admin');", to: "FOR SELECT USING (true);", tests: ["app/db/policies.test.ts"] },
  { name: "the system scope is anyone's who sets it", file: "migrations/0007_database_roles.sql", from: "= 'system', false) AND failsight_is_owner() $$;", to: "= 'system', false) $$;", tests: ["app/db/database-roles.test.ts", "app/db/policies.test.ts"] },
  { name: "settings speak for any role", file: "migrations/0007_database_roles.sql", from: "SELECT CASE WHEN pg_has_role('failsight_runtime', 'MEMBER') OR failsight_is_owner()", to: "SELECT CASE WHEN true", tests: ["app/db/database-roles.test.ts"] },
  { name: "a SQL reader sees every team", file: "migrations/0007_database_roles.sql", from: "OR owner_team = (SELECT failsight_reader_team(current_user))", to: "OR (SELECT failsight_reader_team(current_user)) IS NOT NULL", tests: ["app/db/database-roles.test.ts"] },
  { name: "the runtime role may read partitions", file: "migrations/0007_database_roles.sql", from: "GRANT SELECT, INSERT ON log_events TO failsight_runtime;", to: "GRANT SELECT, INSERT ON log_events TO failsight_runtime;\nGRANT SELECT ON ALL TABLES IN SCHEMA public TO failsight_runtime;", tests: ["app/db/database-roles.test.ts"] },
  { name: "metrics open to any key", file: "app/domain/permissions.ts", from: 'scrape: ["admin"],', to: 'scrape: ["viewer", "operator", "admin", "ingest"],', tests: ["app/metrics/metrics.test.ts", "app/api/route-matrix.test.ts"] },
  { name: "the scrape token opens every route", file: "app/domain/permissions.ts", from: 'return permission === "scrape" ? undefined : "the scrape token opens /metrics only";', to: "return undefined;", tests: ["app/metrics/metrics.test.ts"] },
  { name: "read permission admits ingest keys", file: "app/domain/permissions.ts", from: 'read: ["viewer", "operator", "admin"],', to: 'read: ["viewer", "operator", "admin", "ingest"],', tests: ["app/api/route-matrix.test.ts"] },
  { name: "the guard admits any role", file: "app/api/route.ts", from: 'if (why) throw new RequestError("forbidden", why);', to: "", tests: ["app/api/route-matrix.test.ts"] },
  { name: "the guard admits callers without a key", file: "app/api/route.ts", from: 'if (!actor) throw new RequestError("unauthorized"', to: 'if (false) throw new RequestError("unauthorized"', tests: ["app/api/route-matrix.test.ts"] },
  { name: "a declared access is not attached", file: "app/api/route.ts", from: "middleware: [guard(access)],", to: "middleware: [],", tests: ["app/api/route-matrix.test.ts"] },
  {
    name: "the route's ingest-key scope check is removed",
    file: "app/ingest/intake.ts",
    from: "if (outside.length) throw",
    to: "if (false) throw",
    tests: ["app/api/route-matrix.test.ts", "app/ingest/ingest-seams.test.ts"],
    expected: "row-level security refuses the same batch (403): the second layer holds, which is the point of having two",
  },
  { name: "a redelivered message is stored again", file: "app/ingest/intake.ts", from: "if (receipt && !(await recordReceipt(scoped.sql, receipt.source, receipt.messageId))) return undefined;", to: "", tests: ["app/ingest/sources/nats.test.ts"] },
  { name: "a poison message is retried for ever instead of dead-lettered", file: "app/ingest/sources/nats.ts", from: "if (isPermanent(error)) {", to: "if (false) {", tests: ["app/ingest/sources/nats.test.ts"] },
  { name: "OTLP and Loki: a bad record refuses nothing", file: "app/ingest/formats/records.ts", from: "else for (const issue of result.error.issues) rejected.push(", to: "else for (const issue of [] as typeof result.error.issues) rejected.push(", tests: ["app/ingest/formats/formats.test.ts", "app/api/routes/ingest/shippers.test.ts"] },
  { name: "JIT left on for Failsight's connections", file: "app/db/client.ts", from: 'jit: "off",', to: "", tests: ["app/db/client.test.ts"] },
  { name: "a cursor from another query is accepted", file: "app/logs/plan.ts", from: "cursor.f !== fingerprint", to: "false", tests: ["app/logs/plan.test.ts"] },
  { name: "a cursor's ts is not checked for a real date", file: "app/logs/cursor.ts", from: ".refine((ts) => isRealCalendarTime(ts) && isStorableInstant(Date.parse(ts)))", to: "", tests: ["app/logs/plan.test.ts"] },
  { name: "lone surrogates pass as storable", file: "app/domain/text.ts", from: "|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]/", to: "/", tests: ["app/api/bad-input.test.ts", "app/ingest/formats/native-json.test.ts"] },
  { name: "retention keeps one month too many", file: "app/partitions/plan.ts", from: "p.to! <= cutoff", to: "p.to! < cutoff", tests: ["app/partitions/plan.test.ts"] },
  { name: "a partition with odd bounds counts as ours", file: "app/partitions/plan.ts", from: "p.to.getTime() === addMonths(month, 1).getTime()", to: "true", tests: ["app/partitions/plan.test.ts"] },
  { name: "maintenance runs without the system scope", file: "app/partitions/maintain.ts", from: "await conn`SELECT set_config('failsight.scope', 'system', false)`;", to: "", tests: ["app/partitions/maintenance-seams.test.ts"] },
  { name: "stranded tables are not repaired", file: "app/partitions/maintain.ts", from: "await apply(planRepairs(policy.table, (await readCatalog(conn, policy.table)).stranded));", to: "", tests: ["app/partitions/maintenance-seams.test.ts"] },
  { name: "fast burn: 10x instead of 14.4x", file: "charts/failsight/files/prometheus-rules.yaml", from: "(14.4 *", to: "(10 *", everywhere: true, tests: ["charts/tests/rules.test.ts"] },
  { name: "fast burn: the long window alone at 10x", file: "charts/failsight/files/prometheus-rules.yaml", from: "rate1h > on (service) (14.4 *", to: "rate1h > on (service) (10 *", tests: ["charts/tests/rules.test.ts"] },
  { name: "medium burn: 5x instead of 6x", file: "charts/failsight/files/prometheus-rules.yaml", from: "(6 *", to: "(5 *", everywhere: true, tests: ["charts/tests/rules.test.ts"] },
  { name: "fast burn without its short window", file: "charts/failsight/files/prometheus-rules.yaml", from: "service:failsight_service_error_ratio:rate5m > on (service) (14.4 * service:failsight_service_error_budget:ratio)", to: "service:failsight_service_error_ratio:rate1h > on (service) (14.4 * service:failsight_service_error_budget:ratio)", tests: ["charts/tests/rules.test.ts"] },
  { name: "LogQL: label regexes match part of a value", file: "app/logs/logql/compile.ts", from: "const text = anchored ? `^(?:${source})$` : source;", to: "const text = source;", tests: ["app/api/routes/loki/loki.test.ts"] },
  { name: "LogQL: != drops lines without the label", file: "app/logs/logql/compile.ts", from: "sql`(${value} IS DISTINCT FROM ${expected})`", to: "sql`(${value} <> ${expected})`", tests: ["app/api/routes/loki/loki.test.ts"] },
  { name: "LogQL: a log query's end is inclusive", file: "app/logs/logql/compile.ts", from: "AND e.ts < ${timestamp(query.window.toUs)} AND ${condition}", to: "AND e.ts <= ${timestamp(query.window.toUs)} AND ${condition}", tests: ["app/api/routes/loki/loki.test.ts"] },
  { name: "LogQL: a line counts for the step before its own", file: "app/logs/logql/compile.ts", from: "greatest(0, ceil(${sinceStartMs} / ${steps.stepMs})::int)", to: "greatest(0, floor(${sinceStartMs} / ${steps.stepMs})::int)", tests: ["app/api/routes/loki/loki.test.ts"] },
  { name: "LogQL: a step longer than its range counts the whole step", file: "app/logs/logql/compile.ts", from: "${steps.stepMs > rangeMs ? sql` AND e.ts > ${bin} +", to: "${false ? sql` AND e.ts > ${bin} +", tests: ["app/api/routes/loki/loki.test.ts"] },
  { name: "LogQL: a status regex keeps codes it does not match", file: "app/logs/logql/compile.ts", from: "(code) => valueMatches(String(code), op, expected)", to: "() => true", tests: ["app/api/routes/loki/loki.test.ts"] },
  { name: "LogQL: services are resolved without their matchers", file: "app/logs/logql/compile.ts", from: "return sql`SELECT candidate.id FROM services candidate WHERE ${sql.join(conditions, sql` AND `)}`;", to: "return sql`SELECT candidate.id FROM services candidate`;", tests: ["app/api/routes/loki/loki.test.ts"] },
  { name: "LogQL from roll-ups: the lines on the windows' edges are not set right", file: "app/logs/logql/repository.ts", from: "  for (const row of edges) correct(", to: "  for (const row of [] as typeof edges) correct(", tests: ["app/api/routes/loki/loki.test.ts"] },
  { name: "LogQL from roll-ups: a line filter is ignored", file: "app/logs/logql/from-rollups.ts", from: 'range.selector.stages.every((s) => s.kind === "drop") &&', to: "", tests: ["app/api/routes/loki/loki.test.ts"] },
  { name: "LogQL from roll-ups: a level matcher is ignored", file: "app/logs/logql/from-rollups.ts", from: "AND lv.n > 0 AND lv.level = ANY(", to: "AND lv.n > 0 AND lv.level <> ANY(", tests: ["app/api/routes/loki/loki.test.ts"] },
  { name: "LogQL from roll-ups: one service reads its events", file: "app/logs/logql/repository.ts", from: "if (rollupsAnswer(range, labels, steps)) return", to: "if (rollupsAnswer(range, labels, steps) && serviceIds?.length !== 1) return", tests: ["app/api/routes/loki/loki.test.ts"] },
  { name: "LogQL: the empty-matcher rule is skipped", file: "app/logs/logql/compile.ts", from: "  requireNonEmptyMatcher(selector);\n", to: "", tests: ["app/api/routes/loki/loki.test.ts"] },
  { name: "roll-ups: log_rollups_read shows every row to any user role", file: "migrations/0011_log_rollups.sql", from: "IS NOT NULL)\n      AND service_id IN (SELECT id FROM services))\n);\n--> statement-breakpoint\nCREATE POLICY log_rollups_insert", to: "IS NOT NULL))\n);\n--> statement-breakpoint\nCREATE POLICY log_rollups_insert", tests: ["app/rollups/rollups.test.ts"] },
  { name: "roll-ups: an ingest key writes any service's roll-ups", file: "migrations/0011_log_rollups.sql", from: "OR ((SELECT failsight_setting('role')) = 'ingest' AND service_id IN (SELECT id FROM services))", to: "OR ((SELECT failsight_setting('role')) = 'ingest')", tests: ["app/rollups/rollups.test.ts"] },
  { name: "roll-ups: a window's whole hours take the hour after them too", file: "app/status/repository.ts", from: "AND ts >= ${h0} AND ts < ${h1} AND", to: "AND ts >= ${h0} AND ts <= ${h1} AND", tests: ["app/rollups/rollups.test.ts"] },
  { name: "roll-ups: an edge hour's minutes before the window are not taken away", file: "app/rollups/window-plan.ts", from: '...(hour < a ? [part("minute", hour, a, -1)] : []),', to: "", tests: ["app/rollups/window-plan.test.ts", "app/rollups/rollups.test.ts"] },
  { name: "roll-ups: an edge hour is read the dearer way", file: "app/rollups/window-plan.ts", from: "if (added <= takenAway) return", to: "if (added > takenAway) return", tests: ["app/rollups/window-plan.test.ts"] },
  { name: "roll-ups: minutes taken away are added", file: "app/status/repository.ts", from: "latency.addLists(r.less_buckets, r.less_counts, -1);", to: "latency.addLists(r.less_buckets, r.less_counts, 1);", tests: ["app/rollups/rollups.test.ts"] },
  { name: "roll-ups: an hour row's future-stamped last event is taken as the window's", file: "app/status/repository.ts", from: "CASE WHEN NOT coalesce(rt.future, false) THEN", to: "CASE WHEN true THEN", tests: ["app/rollups/rollups.test.ts"] },
  { name: "roll-ups: the raw tail misses the window's last instant", file: "app/status/repository.ts", from: "AND ts >= ${m1} AND ts <= ${to}", to: "AND ts >= ${m1} AND ts < ${to}", tests: ["app/rollups/rollups.test.ts", "app/api/routes/status/status.test.ts"] },
  { name: "status: kept hour histograms are trusted whatever their hours count now", file: "app/status/repository.ts", from: "WHERE k.id = t.service_id AND k.events = t.events)", to: "WHERE k.id = t.service_id)", tests: ["app/rollups/rollups.test.ts"] },
  {
    name: "status: a kept hour histogram is used without its event count",
    file: "app/status/hour-histograms.ts",
    from: "entry.h1 === span.h1 && entry.events === events ? entry.histogram",
    to: "entry.h1 === span.h1 ? entry.histogram",
    tests: ["app/status/hour-histograms.test.ts", "app/rollups/rollups.test.ts"],
  },
  { name: "roll-ups: the window plan skips the no-whole-hour case", file: "app/rollups/window-plan.ts", from: "if (h0 > h1) {", to: "if (false) {", tests: ["app/rollups/window-plan.test.ts", "app/rollups/rollups.test.ts"] },
  { name: "roll-ups: percentiles one rank low", file: "app/rollups/histogram.ts", from: "Math.max(1, Math.ceil(q * total))", to: "Math.max(1, Math.floor(q * total))", tests: ["app/rollups/histogram.test.ts", "app/rollups/rollups.test.ts"] },
  { name: "roll-ups: compaction keeps one partial row's counts instead of their sum", file: "app/rollups/compact.ts", from: "`sum(${c})::int`", to: "`max(${c})::int`", tests: ["app/rollups/rollups.test.ts"] },
  { name: "maintenance waits 2 s for its locks, stalling inserts behind long reads", file: "app/partitions/execute.ts", from: "export const MAINTENANCE_LOCK_WAIT_MS = 50;", to: "export const MAINTENANCE_LOCK_WAIT_MS = 2_000;", tests: ["app/partitions/maintain.test.ts"] },
  { name: "a cached key is not checked in the transaction", file: "app/db/scoped.ts", from: "tx`failsight_key_is_current(${keyId}, ${role})`", to: "tx`true`", tests: ["app/api/key-cache.test.ts"] },
  { name: "/metrics takes a cached admin key without its check", file: "app/api/routes/system/metrics.ts", from: "if (!(await keyStillHolds(deps.sql, c.get(\"actor\")))) throw", to: "if (false) throw", tests: ["app/api/key-cache.test.ts"] },
  { name: "controller: two policies for one table both run", file: "app/controller/partition-policy/reconcile.ts", from: "return first === object ? undefined : first;", to: "return undefined;", tests: ["app/controller/partition-policy/reconcile.test.ts"] },
  { name: "controller: the newest policy takes the table", file: "app/controller/partition-policy/reconcile.ts", from: '(a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "")', to: '(b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? "")', tests: ["app/controller/partition-policy/reconcile.test.ts"] },
  { name: "controller: a release's selector is ignored", file: "app/controller/machine/informer.ts", from: "this.labelSelector = labelSelector || undefined;", to: "this.labelSelector = undefined;", tests: ["app/controller/controller.test.ts"] },
  { name: "controller: liveness follows the watch", file: "app/controller/http.ts", from: 'app.get("/healthz", (c) => c.json({ status: "ok" }));', to: 'app.get("/healthz", (c) => (readiness().watching ? c.json({ status: "ok" }) : c.json({ status: "down" }, 503)));', tests: ["app/controller/controller.test.ts"] },
  { name: "controller: readiness ignores the watch", file: "app/controller/machine/manager.ts", from: "return { ready: watching && leaderKnown,", to: "return { ready: leaderKnown,", tests: ["app/controller/controller.test.ts"] },
  { name: "migrate: gives up at the first refused connection", file: "app/db/wait-for-database.ts", from: "if (!reason) throw error;", to: "throw error;", tests: ["app/main/migrate-waits.test.ts"] },
  { name: "migrate: waits on any error", file: "app/db/wait-for-database.ts", from: "if (!reason) throw error;", to: "", tests: ["app/main/migrate-waits.test.ts"] },
  { name: "service ids cached before commit", file: "app/services/service-ids.ts", from: "afterCommit(() => this.remember(learned));", to: "this.remember(learned);", tests: ["app/ingest/ingest-seams.test.ts"] },
  { name: "ingest fast path: text PostgreSQL cannot store passes", file: "app/ingest/formats/native-fast-path.ts", from: "v.length <= max && unstorable(v) === undefined", to: "v.length <= max", tests: ["app/ingest/formats/native-fast-path.test.ts"] },
  { name: "ingest fast path: attributes are not checked", file: "app/ingest/formats/native-fast-path.ts", from: "return unstorableJson(v) === undefined ? json : undefined;", to: "return json;", tests: ["app/ingest/formats/native-fast-path.test.ts"] },
  { name: "ingest fast path: unknown fields pass", file: "app/ingest/formats/native-fast-path.ts", from: "      default:\n        return false;", to: "      default:\n        break;", tests: ["app/ingest/formats/native-fast-path.test.ts"] },
  { name: "ingest fast path: any timestamp passes", file: "app/ingest/formats/native-fast-path.ts", from: "if (!isStorableInstant(ms)) return false;", to: "", tests: ["app/ingest/formats/native-fast-path.test.ts"] },
  { name: "ingest fast path: a 1969 timestamp is stored as sent", file: "app/ingest/formats/native-fast-path.ts", from: "year < MIN_YEAR || ", to: "", tests: ["app/ingest/formats/native-fast-path.test.ts"] },
  { name: "ingest fast path: February 30 is stored as sent", file: "app/ingest/formats/native-fast-path.ts", from: "return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);", to: "return day <= 31;", tests: ["app/ingest/formats/native-fast-path.test.ts"] },
  { name: "ingest: a clean batch's envelope may carry other fields", file: "app/ingest/formats/native-json.ts", from: "keys.length === 1 && ", to: "", tests: ["app/ingest/formats/native-json.test.ts"] },
  { name: "ingest: a plain body is never counted before parsing", file: "app/ingest/count-items.ts", from: "return containerBound(bytes, UNCOUNTED_CONTAINERS) > UNCOUNTED_CONTAINERS;", to: "return false;", tests: ["app/ingest/ingest-seams.test.ts", "app/ingest/count-items.test.ts"] },
  { name: "ingest: the flood bound misses arrays", file: "app/ingest/count-items.ts", from: "  for (let i = bytes.indexOf(0x5b); i !== -1 && n <= limit; i = bytes.indexOf(0x5b, i + 1)) n++;\n", to: "", tests: ["app/ingest/count-items.test.ts"] },
  { name: "event columns: a backslash is not escaped", file: "app/ingest/event-columns.ts", from: "const ESCAPED = /[\"\\\\]/g;", to: "const ESCAPED = /[\"]/g;", tests: ["app/ingest/event-columns.test.ts"] },
  { name: "event columns: a quote is not escaped", file: "app/ingest/event-columns.ts", from: "const ESCAPED = /[\"\\\\]/g;", to: "const ESCAPED = /[\\\\]/g;", tests: ["app/ingest/event-columns.test.ts"] },
  { name: "event columns: a missing number is written empty", file: "app/ingest/event-columns.ts", from: "  number(v: number | null | undefined): void {\n    if (v == null) this.parts.push(this.parts.length ? \",NULL\" : \"NULL\");", to: "  number(v: number | null | undefined): void {\n    if (v == null) this.parts.push(this.parts.length ? \",\" : \"\");", tests: ["app/ingest/event-columns.test.ts"] },
  { name: "parse workers take the event loop's young generation", file: "app/ingest/parse-pool.ts", from: "    sizeWorkerHeaps();\n", to: "", tests: ["app/ingest/parse-pool.test.ts"] },
  { name: "a level spelled like an object's key passes", file: "app/domain/severity.ts", from: "return SPELLINGS.get(input) ?? SPELLINGS.get(input.trim().toLowerCase());", to: "return SPELLINGS.get(input) ?? (SPELLINGS.get(input.trim().toLowerCase()) || ({} as Record<string, Severity>)[input.trim().toLowerCase()]);", tests: ["app/api/routes/ingest/native.test.ts"] },
  { name: "a one-service page is planned by stale estimates", file: "app/logs/repository.ts", from: 'readsServiceIndexInOrder(plan) ? "off" : "on"', to: '"on"', tests: ["app/api/routes/logs/query.test.ts"] },
  { name: "a page's prepared statement may take a generic plan", file: "app/logs/repository.ts", from: ", set_config('plan_cache_mode', 'force_custom_plan', true)", to: "", tests: ["app/api/routes/logs/query.test.ts"] },
  { name: "a page's level filter is dropped when set", file: "app/logs/repository.ts", from: "optional(sql`${p(\"minLevel\")}::${levelType}`, sql`${logEvents.level} >= ${p(\"minLevel\")}::${levelType}`)", to: "sql`true`", tests: ["app/api/routes/logs/query.test.ts"] },
  { name: "a page shows the row past its limit", file: "app/logs/repository.ts", from: "more ? row.items.slice(0, row.items.lastIndexOf(ITEM_SEPARATOR)) : row.items", to: "row.items", tests: ["app/api/routes/logs/query.test.ts"] },
  { name: "a page's items are cut at the first separator", file: "app/logs/repository.ts", from: "row.items.lastIndexOf(ITEM_SEPARATOR)", to: "row.items.indexOf(ITEM_SEPARATOR)", tests: ["app/api/routes/logs/query.test.ts"] },
  { name: "a page's cursor points at the row past its limit", file: "app/logs/repository.ts", from: "(array_agg(id ${fromTheEnd}))[2]", to: "(array_agg(id ${fromTheEnd}))[1]", tests: ["app/api/routes/logs/query.test.ts"] },
  { name: "a one-service page compares its service with = ANY", file: "app/logs/repository.ts", from: "service: serviceIds?.length === 1 ? serviceIds[0] : null,\n    serviceIds: serviceIds && serviceIds.length > 1 ? serviceIds : null,", to: "service: null,\n    serviceIds: serviceIds ?? null,", tests: ["app/api/routes/logs/query.test.ts"] },
  { name: "a one-service page with a trace id walks the service's index", file: "app/logs/plan.ts", from: "plan.traceId === undefined && ", to: "", tests: ["app/logs/plan.test.ts"] },
  { name: "a read whose audit entry failed is answered", file: "app/api/recorded-read.ts", from: "    await recording;\n", to: "", tests: ["app/api/recorded-read.test.ts"] },
  { name: "a key that no longer holds is not checked when the work is pipelined", file: "app/db/scope.ts", from: "sql`failsight_require_current_key(${keyId}, ${role})`", to: "sql`failsight_key_is_current(${keyId}, ${role})`", tests: ["app/api/key-cache.test.ts"] },
  { name: "failsight_require_current_key lets a revoked key through", file: "migrations/0017_key_refusal.sql", from: "IF NOT failsight_key_is_current(key_id, acting_role) THEN", to: "IF false THEN", tests: ["app/api/key-cache.test.ts"] },
  { name: "failsight_key_is_current holds a revoked key", file: "migrations/0017_key_refusal.sql", from: "WHERE k.id = key_id AND k.revoked_at IS NULL AND", to: "WHERE k.id = key_id AND", tests: ["app/api/key-cache.test.ts"] },
  { name: "failsight_key_is_current holds a key whose user's role changed", file: "migrations/0017_key_refusal.sql", from: "AND (k.kind = 'ingest' OR u.role::text = acting_role));", to: ");", tests: ["app/api/key-cache.test.ts"] },
  { name: "a read in one trip waits for its answer before COMMIT", file: "app/db/scope.ts", from: "    sent.push(read, end.execute());", to: "    await read.catch(() => {});\n    sent.push(read, end.execute());", tests: ["app/db/transactions.test.ts"] },
  { name: "a read in one trip commits what it queued before its work threw", file: "app/db/scope.ts", from: "      end = connection`ROLLBACK`;", to: "", tests: ["app/db/transactions.test.ts"] },
  { name: "a parsed batch lets go of its parse slot before a writer is free (memory unbounded)", file: "app/ingest/work-slots.ts", from: "    done = await first();\n    secondSlot = await seconds.claim();\n  } finally {\n    firstSlot();\n  }", to: "    done = await first();\n  } finally {\n    firstSlot();\n  }\n  secondSlot = await seconds.claim();", tests: ["app/ingest/work-slots.test.ts"] },
  { name: "a batch keeps its parse slot while it is written (no overlap)", file: "app/ingest/work-slots.ts", from: "  } finally {\n    firstSlot();\n  }\n  try {\n    return await second(done);\n  } finally {\n    secondSlot();\n  }", to: "  } catch (error) {\n    firstSlot();\n    throw error;\n  }\n  try {\n    return await second(done);\n  } finally {\n    secondSlot();\n    firstSlot();\n  }", tests: ["app/ingest/work-slots.test.ts"] },
  { name: "the URL guard lets every URL through its fast path", file: "app/api/input-guard.ts", from: 'if (!url.includes("%")) return next();', to: "return next();", tests: ["app/api/bad-input.test.ts"] },
  { name: "a page's audit entry counts the row past the limit", file: "app/logs/repository.ts", from: "least(count(*), ${p(\"limit\")}::integer - 1)", to: "count(*)", tests: ["app/api/recorded-read.test.ts"] },
  { name: "a statement the work returns unawaited runs twice", file: "app/db/scope.ts", from: "const done = Promise.resolve(work(", to: "const done = (work(", tests: ["app/db/transactions.test.ts", "app/api/route-matrix.test.ts"] },
  // #17: checks, heartbeats, dependencies, incidents, maintenance, status pages.
  { name: "failsight_writable_services: an operator writes what it may only read", file: "migrations/0014_checks_and_heartbeats.sql", from: "OR id IN (SELECT failsight_granted_services('write')))) $$;", to: "OR id IN (SELECT failsight_granted_services('read')))) $$;", tests: ["app/api/route-matrix.test.ts", "app/checks/checks.test.ts"] },
  { name: "checks_read shows every service's checks", file: "migrations/0014_checks_and_heartbeats.sql", from: "IN ('viewer', 'operator', 'admin') AND service_id IN (SELECT id FROM services))\n);\n--> statement-breakpoint\nCREATE POLICY checks_write", to: "IN ('viewer', 'operator', 'admin'))\n);\n--> statement-breakpoint\nCREATE POLICY checks_write", tests: ["app/api/route-matrix.test.ts", "app/checks/checks.test.ts"] },
  { name: "heartbeats_read shows every service's heartbeat", file: "migrations/0014_checks_and_heartbeats.sql", from: "IN ('viewer', 'operator', 'admin') AND service_id IN (SELECT id FROM services))\n);\n--> statement-breakpoint\nCREATE POLICY heartbeats_write", to: "IN ('viewer', 'operator', 'admin'))\n);\n--> statement-breakpoint\nCREATE POLICY heartbeats_write", tests: ["app/api/route-matrix.test.ts", "app/api/routes/heartbeats/heartbeats.test.ts", "app/checks/checks.test.ts"] },
  { name: "a ping's token is not checked", file: "migrations/0014_checks_and_heartbeats.sql", from: "WHERE h.token_hash = failsight_heartbeat_ping.token_hash AND s.id = h.service_id", to: "WHERE s.id = h.service_id", tests: ["app/api/routes/heartbeats/heartbeats.test.ts"] },
  { name: "a ping leaves the system scope on", file: "migrations/0014_checks_and_heartbeats.sql", from: "  PERFORM set_config('failsight.scope', coalesce(caller_scope, ''), true);\n", to: "", tests: ["app/api/routes/heartbeats/heartbeats.test.ts"] },
  { name: "a missed heartbeat's grace is not counted", file: "app/checks/heartbeat-verdict.ts", from: "if (silent > h.periodSeconds + h.graceSeconds) {", to: "if (silent > h.periodSeconds) {", tests: ["app/checks/verdicts.test.ts"] },
  { name: "a runner claims another namespace's checks", file: "app/checks/schedule.ts", from: "        AND starts_with(name, ${namePrefix})\n", to: "\n", tests: ["app/checks/schedule.test.ts"] },
  { name: "a check's failure is recorded without a retry", file: "app/checks/confirm.ts", from: 'if (first.outcome !== "fail") return { result: first };', to: "return { result: first };", tests: ["app/checks/checks.test.ts"] },
  { name: "a stale check result keeps a service up", file: "app/checks/check-verdict.ts", from: "if (now.getTime() - c.lastRunAt.getTime() > staleAfterMs) return undefined;", to: "", tests: ["app/checks/verdicts.test.ts"] },
  { name: "a probe's verdict does not weigh against the events'", file: "app/status/evaluate.ts", from: "(SEVERITY[said.state] > SEVERITY[worst.state] ? said : worst)", to: "(worst)", tests: ["app/status/evaluate.test.ts", "app/checks/checks.test.ts"] },
  { name: "a down dependency impacts nobody", file: "app/status/impact.ts", from: "if (!roots || s.state === \"maintenance\") return { ...s, impactedBy: [] };", to: "return { ...s, impactedBy: [] };", tests: ["app/status/impact.test.ts", "app/status/dependencies.test.ts"] },
  { name: "an impacted service is named a root cause", file: "app/status/impact.ts", from: "const isRoot = (d: string) => [...reachOf(d)].every((below) => !down.has(below) || below === d || reachOf(below).has(d));", to: "const isRoot = (d: string) => true;", tests: ["app/status/impact.test.ts"] },
  { name: "service_dependencies_read shows edges to hidden services", file: "migrations/0015_dependencies_and_states.sql", from: "AND service_id IN (SELECT id FROM services) AND depends_on_id IN (SELECT id FROM services))", to: "AND service_id IN (SELECT id FROM services))", tests: ["app/status/dependencies.test.ts"] },
  { name: "maintenance_services_write lets anyone hold any service", file: "migrations/0016_incidents_maintenance_pages.sql", from: "CREATE POLICY maintenance_services_write ON maintenance_services FOR ALL USING (service_id IN (SELECT failsight_writable_services()))\n  WITH CHECK (service_id IN (SELECT failsight_writable_services()));", to: "CREATE POLICY maintenance_services_write ON maintenance_services FOR ALL USING (true) WITH CHECK (true);", tests: ["app/api/route-matrix.test.ts"], expected: "the route checks every service is writable first (services/resolve.ts): the policy is the second layer" },
  { name: "incidents_read shows every incident", file: "migrations/0016_incidents_maintenance_pages.sql", from: "(SELECT failsight_is_system()) OR id IN (SELECT incident_id FROM incident_services)\n);", to: "true\n);", tests: ["app/api/route-matrix.test.ts", "app/api/routes/status-pages/status-pages.test.ts"] },
  { name: "a private status page is shown to any key", file: "app/api/routes/status-pages/view.ts", from: "if (visible.length < shown.length) throw", to: "if (false) throw", tests: ["app/api/routes/status-pages/status-pages.test.ts"] },
  { name: "maintenance does not hold a service", file: "app/status/service-status.ts", from: "const window = maintenance.get(row.service);", to: "const window = undefined as { endsAt: Date; title: string } | undefined;", tests: ["app/api/routes/status-pages/status-pages.test.ts"] },
  { name: "alerts lose their root cause", file: "charts/failsight/files/prometheus-rules.yaml", from: "group_left (team, root_cause, impacted) service:failsight_service_alert_labels:info", to: "group_left (team) service:failsight_service_alert_labels:info", tests: ["charts/tests/rules.test.ts"], everywhere: true },
  { name: "an impacted service's own ServiceDown is a source of the inhibit rule", file: "charts/failsight/files/alertmanager/alertmanager.yaml", from: "  - source_matchers: ['alertname=\"FailsightServiceDown\"', 'impacted=\"false\"']", to: "  - source_matchers: ['alertname=\"FailsightServiceDown\"']", tests: ["charts/tests/alertmanager.test.ts"] },
  { name: "the inhibit rule silences only impacted services, not the root cause's own other pages", file: "charts/failsight/files/alertmanager/alertmanager.yaml", from: "    target_matchers: ['severity=~\"page|ticket\"']", to: "    target_matchers: ['impacted=\"true\"']", tests: ["charts/tests/alertmanager.test.ts"] },
];

const only = process.argv[2];
const results: { name: string; outcome: "killed" | "survived" | "not applied"; expected?: string }[] = [];
for (const m of MUTANTS.filter((m) => !only || m.name.includes(only))) {
  const original = readFileSync(m.file, "utf8");
  if (!original.includes(m.from)) {
    results.push({ name: m.name, outcome: "not applied" });
    continue;
  }
  writeFileSync(m.file, m.everywhere ? original.replaceAll(m.from, m.to) : original.replace(m.from, m.to));
  try {
    const run = spawnSync("npx", ["vitest", "run", ...m.tests], { encoding: "utf8", env: process.env, timeout: 300_000 });
    results.push({ name: m.name, outcome: run.status === 0 ? "survived" : "killed", ...(m.expected ? { expected: m.expected } : {}) });
  } finally {
    writeFileSync(m.file, original);
  }
  console.log(`${results.at(-1)!.outcome.padEnd(11)} ${m.name}`);
}
const count = (o: string) => results.filter((r) => r.outcome === o).length;
console.log(`\nmutants: ${results.length}, killed ${count("killed")}, survived ${count("survived")}, not applied ${count("not applied")}`);
for (const r of results.filter((r) => r.outcome !== "killed")) console.log(`- ${r.outcome}: ${r.name}${r.expected ? ` (explained: ${r.expected})` : ""}`);
const unexplained = results.filter((r) => (r.outcome === "survived" && !r.expected) || r.outcome === "not applied");
process.exit(unexplained.length ? 1 : 0);
