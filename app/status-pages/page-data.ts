import { asc, eq } from "drizzle-orm";
import type { Sql } from "../db/client.ts";
import { statusPages } from "../db/schema.ts";
import { asActor } from "../db/scoped.ts";
import { SYSTEM } from "../domain/actor.ts";
import type { ServiceState } from "../domain/vocabulary.ts";
import { listIncidents, type Incident } from "../incidents/incidents.ts";
import { listMaintenance, type MaintenanceWindow } from "../incidents/maintenance.ts";
import { HourHistograms } from "../status/hour-histograms.ts";
import { readTransitions } from "../status/repository.ts";
import { evaluateServices } from "../status/service-status.ts";
import { uptimeRatio } from "../status/uptime.ts";
import { parseWindow, DEFAULT_WINDOW } from "../status/window.ts";
import { dailyUptime, type DayUptime } from "./daily-uptime.ts";

/** Days of uptime a page shows. */
const PAGE_DAYS = 90;
/** Resolved incidents stay on a page this long. */
const RESOLVED_SHOWN_DAYS = 14;
/** A page is computed at most this often, however many read it. */
const FRESH_MS = 15_000;
const DAY_MS = 86_400_000;

export type StatusPage = typeof statusPages.$inferSelect;
export type PageService = { name: string; state: ServiceState; reason: string; impactedBy: string[]; days: DayUptime[]; uptime: number | null };
export type PageData = { page: StatusPage; generatedAt: Date; services: PageService[]; incidents: Incident[]; maintenance: MaintenanceWindow[] };

/**
 * What status pages show, as Failsight itself sees it (the owner's connection, the system
 * scope): a public page is read by people with no key, and no query ever runs for them.
 * Each page is computed at most every FRESH_MS, for every reader; which pages exist, and
 * whether a reader may see one, is the route's to decide (page.public, the key's services).
 */
export class StatusPageSource {
  private readonly cache = new Map<string, { at: number; data: Promise<PageData | undefined> }>();
  private readonly hours = new HourHistograms();
  private readonly ownerSql: Sql;
  private readonly clock: () => Date;
  constructor(ownerSql: Sql, clock: () => Date = () => new Date()) {
    this.ownerSql = ownerSql;
    this.clock = clock;
  }

  read(slug: string): Promise<PageData | undefined> {
    const now = this.clock();
    const held = this.cache.get(slug);
    if (held && now.getTime() - held.at < FRESH_MS) return held.data;
    const data = this.compute(slug, now);
    this.cache.set(slug, { at: now.getTime(), data });
    data.catch(() => this.cache.delete(slug));
    return data;
  }

  /** Drops what is held, so the next read recomputes (a page was changed or deleted). */
  forget(slug: string) {
    this.cache.delete(slug);
    this.publicPages = undefined;
  }

  private publicPages: { at: number; pages: Promise<{ slug: string; title: string }[]> } | undefined;

  /** The public pages, for the landing page to point a person at (held like a page). */
  listPublic(): Promise<{ slug: string; title: string }[]> {
    const now = this.clock().getTime();
    if (this.publicPages && now - this.publicPages.at < FRESH_MS) return this.publicPages.pages;
    const pages = asActor(this.ownerSql, SYSTEM, ({ db }) =>
      db.select({ slug: statusPages.slug, title: statusPages.title }).from(statusPages).where(eq(statusPages.public, true)).orderBy(asc(statusPages.slug)),
    );
    this.publicPages = { at: now, pages };
    pages.catch(() => (this.publicPages = undefined));
    return pages;
  }

  private compute(slug: string, now: Date): Promise<PageData | undefined> {
    return asActor(this.ownerSql, SYSTEM, async ({ sql, db }) => {
      const [page] = await db.select().from(statusPages).where(eq(statusPages.slug, slug));
      if (!page) return undefined;
      const statuses = await evaluateServices(sql, now, parseWindow(DEFAULT_WINDOW)!, this.hours, page.services);
      const from = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - (PAGE_DAYS - 1) * DAY_MS);
      const [histories, incidents, maintenance] = await Promise.all([
        Promise.all(statuses.map((s) => readTransitions(sql, s.serviceId, from, now))),
        listIncidents(sql, { resolvedAfter: new Date(now.getTime() - RESOLVED_SHOWN_DAYS * DAY_MS), services: page.services }),
        listMaintenance(sql, { endingAfter: now, services: page.services }),
      ]);
      // In the page's order, which is the order its admin listed them in.
      const order = new Map(page.services.map((name, i) => [name, i]));
      const services = statuses
        .map((s, i) => {
          const history = histories[i]!;
          return {
            name: s.service,
            state: s.state,
            reason: s.reason,
            impactedBy: s.impactedBy,
            days: dailyUptime(history.initial, history.events, now, PAGE_DAYS),
            uptime: uptimeRatio(history.initial, history.events, from, now),
          };
        })
        .sort((a, b) => order.get(a.name)! - order.get(b.name)!);
      return { page, generatedAt: now, services, incidents, maintenance };
    });
  }
}
