import type { ServiceState } from "../../../domain/vocabulary.ts";
import type { PageData, PageService } from "../../../status-pages/page-data.ts";
import { VERSION } from "../../../version.ts";

// A status page as HTML: server-rendered, no script and nothing from elsewhere (no CDN, no
// font), so it reads the same with scripts off, behind a strict proxy, or printed. It asks
// the browser to reload every minute.

/**
 * What a status page may load: its own inline styles, nothing else. No script can run on it
 * (none is needed): it works the same for a person with scripts off, and an injected one
 * would do nothing.
 */
export const STATUS_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const STATE_LABEL: Record<ServiceState, string> = {
  up: "Operational",
  degraded: "Degraded",
  down: "Down",
  unknown: "No data",
  impacted: "Impacted",
  maintenance: "Maintenance",
};

/** Worst first: the page's headline is its worst service. */
const HEADLINE: [ServiceState, string][] = [
  ["down", "Major outage"],
  ["impacted", "Partial outage"],
  ["degraded", "Degraded performance"],
  ["maintenance", "Maintenance in progress"],
];

const percent = (ratio: number) => `${(Math.floor(ratio * 10_000) / 100).toFixed(2)}%`;

/** A day's bar colour class by its uptime: the thresholds status pages commonly use. */
function dayClass(ratio: number | null): string {
  if (ratio === null) return "none";
  if (ratio >= 0.999) return "full";
  if (ratio >= 0.99) return "minor";
  if (ratio >= 0.95) return "partial";
  return "major";
}

function serviceRow(s: PageService): string {
  const bars = s.days
    .map((d) => {
      const said = d.ratio === null ? "no data" : `${percent(d.ratio)} up`;
      return `<li class="day ${dayClass(d.ratio)}" title="${d.day}: ${said}"><span class="sr">${d.day}: ${said}</span></li>`;
    })
    .join("");
  return `<section class="service" data-service="${escape(s.name)}" data-state="${s.state}">
    <div class="head"><h3>${escape(s.name)}</h3><span class="state ${s.state}">${STATE_LABEL[s.state]}</span></div>
    <p class="reason">${escape(s.reason)}</p>
    <ol class="bars" aria-label="Uptime of ${escape(s.name)}, one bar per day, oldest first">${bars}</ol>
    <div class="legend"><span>${s.days.length} days ago</span><span>${s.uptime === null ? "no data yet" : `${percent(s.uptime)} uptime`}</span><span>Today</span></div>
  </section>`;
}

function when(d: Date): string {
  return `<time datetime="${d.toISOString()}">${d.toISOString().replace("T", " ").slice(0, 16)} UTC</time>`;
}

export function renderStatusPage(data: PageData): string {
  const { page, services } = data;
  const worst = HEADLINE.find(([state]) => services.some((s) => s.state === state));
  const headline = worst ? worst[1] : services.length && services.every((s) => s.state === "up") ? "All systems operational" : "Status unknown";
  const open = data.incidents.filter((i) => i.resolvedAt === null);
  const past = data.incidents.filter((i) => i.resolvedAt !== null);
  const incident = (i: (typeof data.incidents)[number]) => `<article class="incident ${i.status}">
      <h3>${escape(i.title)}</h3>
      <p class="meta">${escape(i.services.join(", "))} · since ${when(i.startedAt)}${i.resolvedAt ? ` · resolved ${when(i.resolvedAt)}` : ""}</p>
      <ul>${i.updates.map((u) => `<li><strong>${u.status[0]!.toUpperCase()}${u.status.slice(1)}</strong> ${when(u.at)}: ${escape(u.message)}</li>`).join("")}</ul>
    </article>`;
  const maintenance = data.maintenance
    .map(
      (w) => `<article class="maintenance${w.startsAt <= data.generatedAt ? " on" : ""}">
      <h3>${escape(w.title)}</h3>
      <p class="meta">${escape(w.services.join(", "))} · ${when(w.startsAt)} to ${when(w.endsAt)}${w.startsAt <= data.generatedAt ? " · in progress" : " · scheduled"}</p>
      ${w.description ? `<p>${escape(w.description)}</p>` : ""}
    </article>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta http-equiv="refresh" content="60">
  <title>${escape(page.title)} status</title>
  <style>
    body { font: 15px/1.5 system-ui, sans-serif; max-width: 56rem; margin: 2rem auto; padding: 0 1rem; color: #1d2433; background: #fafbfc; }
    h1 { margin: 0; } h2 { margin-top: 2rem; font-size: 1.1rem; } h3 { margin: 0; font-size: 1rem; }
    .sub, .meta, .reason, .legend, footer { color: #5b6478; } .reason { margin: .2rem 0 .5rem; font-size: .9rem; }
    .banner { margin: 1.5rem 0; padding: 1rem 1.25rem; border-radius: 8px; font-weight: 600; color: #fff; background: #2da44e; }
    .banner.down { background: #d1242f; } .banner.impacted { background: #e16f24; } .banner.degraded { background: #d4a72c; } .banner.maintenance { background: #0969da; } .banner.unknown { background: #6e7781; }
    .service, article.incident, article.maintenance { background: #fff; border: 1px solid #d8dee4; border-radius: 8px; padding: 1rem 1.25rem; margin: .75rem 0; }
    .head { display: flex; justify-content: space-between; align-items: center; }
    .state { font-weight: 600; } .state.up { color: #1a7f37; } .state.degraded { color: #9a6700; } .state.down { color: #d1242f; } .state.impacted { color: #bc4c00; } .state.maintenance { color: #0969da; } .state.unknown { color: #6e7781; }
    .bars { display: flex; gap: 2px; list-style: none; padding: 0; margin: 0; height: 34px; }
    .day { flex: 1; border-radius: 2px; } .day.full { background: #2da44e; } .day.minor { background: #9be9a8; } .day.partial { background: #d4a72c; } .day.major { background: #d1242f; } .day.none { background: #d8dee4; }
    .legend { display: flex; justify-content: space-between; font-size: .8rem; margin-top: .25rem; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
    .incident ul { padding-left: 1.1rem; margin: .5rem 0 0; } article.maintenance.on { border-color: #0969da; }
  </style>
</head>
<body>
  <header>
    <h1>${escape(page.title)}</h1>
    ${page.description ? `<p class="sub">${escape(page.description)}</p>` : ""}
  </header>
  <div class="banner ${worst ? worst[0] : services.every((s) => s.state === "up") && services.length ? "up" : "unknown"}" role="status">${headline}</div>
  ${open.length ? `<h2>Incidents</h2>${open.map(incident).join("")}` : ""}
  ${maintenance ? `<h2>Maintenance</h2>${maintenance}` : ""}
  <h2>Services</h2>
  ${services.map(serviceRow).join("") || "<p>No services on this page yet.</p>"}
  ${past.length ? `<h2>Past incidents</h2>${past.map(incident).join("")}` : ""}
  <footer><p>Updated ${when(data.generatedAt)}. Failsight ${escape(VERSION)}.</p></footer>
</body>
</html>`;
}
