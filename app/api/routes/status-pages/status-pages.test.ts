import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { serve } from "@hono/node-server";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasBinary } from "../../../test-support/binaries.ts";
import { testHarness, unique, type Caller } from "../../../test-support/harness.ts";
import { countColour, decodePng } from "../../../test-support/png.ts";
import { tempFolder } from "../../../test-support/temp-folder.ts";
import { STATUS_PAGE_CSP } from "./render.ts";

// Status pages, incidents and maintenance windows through the real app: a page over four
// services (one up with an outage three days ago, one down, one impacted by it, one in
// maintenance), read as JSON by anonymous and keyed callers, and opened in headless
// Chromium (Debian's package) over HTTP, with scripts on and off.

const h = testHarness();
const team = unique("team-page");
const [web, db, api, batch, secret] = ["shop-web", "shop-db", "shop-api", "shop-batch", "shop-secret"].map(unique) as [string, string, string, string, string];
const slug = unique("shop");
const privateSlug = unique("internal");
let anonymous: Caller;
let server: Server;
let base = "";

const DAY = 86_400_000;
const now = Date.now();

beforeAll(async () => {
  anonymous = await h.caller({ anonymous: true });
  await h.sql`INSERT INTO teams (name) VALUES (${team})`;
  for (const name of [web, db, batch, secret]) expect((await h.postJson("/services", { name, owner_team: name === secret ? null : team })).status).toBe(201);
  expect((await h.postJson("/services", { name: api, owner_team: team, depends_on: [db] })).status).toBe(201);
  const events = [
    ...[web, api, batch].map((service) => ({ service, status: 200, message: "fine" })),
    ...Array.from({ length: 4 }, () => ({ service: db, status: 503, message: "too many connections" })),
  ];
  expect((await h.postJson("/v1/logs", events)).status).toBe(200);
  // web's history: up for 90 days but two hours down three days ago.
  const at = (ms: number) => new Date(now - ms).toISOString();
  await h.sql`
    INSERT INTO status_events (service_id, from_state, to_state, at, reason)
    SELECT id, f::service_state, t::service_state, a::timestamptz, 'test history' FROM services,
      (VALUES ('unknown', 'up', ${at(95 * DAY)}), ('up', 'down', ${at(3 * DAY)}), ('down', 'up', ${at(3 * DAY - 2 * 3_600_000)})) AS h(f, t, a)
    WHERE name = ${web}`;
  const window = await h.postJson("/maintenance", { title: "Batch cluster upgrade", services: [batch], starts_at: at(60_000), ends_at: new Date(now + 3_600_000).toISOString() });
  expect(window.status).toBe(201);
  const incident = await h.postJson("/incidents", { title: "Checkout errors", services: [web], message: "Some payments fail; we are looking into it." });
  expect(incident.status).toBe(201);
  expect((await h.admin.send("PUT", `/status-pages/${slug}`, { title: "Example Shop", description: "Our shop's services", public: true, services: [web, api, db, batch] })).status).toBe(201);
  expect((await h.admin.send("PUT", `/status-pages/${privateSlug}`, { title: "Internal", services: [web, secret] })).status).toBe(201);
  server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server?.close(resolve)));

type View = { services: { name: string; state: string; reason: string; impacted_by: string[]; uptime: number | null; days: { day: string; uptime: number | null }[] }[]; incidents: { title: string }[]; maintenance: { title: string }[] };

describe("a public status page", () => {
  it("shows each service's state, 90 days of uptime, the open incident and the maintenance, to anyone", async () => {
    const res = await anonymous.request(`/status-pages/${slug}`, { headers: { accept: "application/json" } });
    expect(res.status).toBe(200);
    const view = (await res.json()) as View;
    expect(view.services.map((s) => [s.name, s.state])).toEqual([[web, "up"], [api, "impacted"], [db, "down"], [batch, "maintenance"]]);
    expect(view.services[1]).toMatchObject({ impacted_by: [db], reason: expect.stringMatching(new RegExp(`^depends on ${db}, which is down`)) });
    const days = view.services[0]!.days;
    expect(days).toHaveLength(90);
    expect(days.at(-1)!.day).toBe(new Date(now).toISOString().slice(0, 10));
    // Two hours down three days ago: all in one day, or, when the test runs within two hours
    // of midnight (UTC), across it into the next.
    const down = (d: { uptime: number | null }) => 1 - (d.uptime ?? 1);
    expect(down(days.at(-4)!) + down(days.at(-3)!)).toBeCloseTo(2 / 24, 3);
    expect(days.filter((d) => d.uptime !== null && d.uptime < 1)).toHaveLength(2 - (days.at(-4)!.uptime! < 1 && days.at(-3)!.uptime! < 1 ? 0 : 1));
    expect(view.incidents.map((i) => i.title)).toEqual(["Checkout errors"]);
    expect(view.maintenance.map((w) => w.title)).toEqual(["Batch cluster upgrade"]);
  });

  it("is linked from the landing page a browser opens", async () => {
    const html = await (await anonymous.request("/", { headers: { accept: "text/html" } })).text();
    expect(html).toContain(`href="/status-pages/${slug}"`);
    expect(html).not.toContain(privateSlug);
  });
});

describe("a page that is not public", () => {
  it("asks a browser for a key, and shows the page only to a key that may see every service on it", async () => {
    const refused = await anonymous.get(`/status-pages/${privateSlug}`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Basic realm="Failsight status page"/);
    const teamViewer = await h.caller({ role: "viewer", teams: [team] });
    expect((await teamViewer.get(`/status-pages/${privateSlug}`)).status).toBe(404);
    const basic = `Basic ${Buffer.from(`anyone:${h.admin.key}`).toString("base64")}`;
    const page = await anonymous.request(`/status-pages/${privateSlug}`, { headers: { authorization: basic, accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`data-service="${secret}"`);
    expect((await anonymous.get(`/status-pages/${unique("none")}`)).status).toBe(404);
  });
});

const chromium = ["chromium", "chromium-browser"].find(hasBinary);
describe.skipIf(!chromium)("the page in headless Chromium", () => {
  // Asynchronously: the app answering Chromium runs in this process.
  const browse = async (args: string[]) => (await promisify(execFile)(chromium!, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", ...args], { encoding: "utf8", timeout: 60_000 })).stdout;

  it("renders every service with its state and 90 bars", async () => {
    const dom = await browse(["--dump-dom", `${base}/status-pages/${slug}`]);
    for (const [name, state, label] of [[web, "up", "Operational"], [api, "impacted", "Impacted"], [db, "down", "Down"], [batch, "maintenance", "Maintenance"]]) {
      const section = new RegExp(`<section class="service" data-service="${name}" data-state="${state}">[\\s\\S]*?</section>`).exec(dom)?.[0];
      expect(section, name).toBeDefined();
      expect(section).toContain(`<span class="state ${state}">${label}</span>`);
      expect(section!.match(/<li class="day /g)).toHaveLength(90);
    }
    expect(dom).toContain('<div class="banner down" role="status">Major outage</div>');
    expect(dom).toContain("Checkout errors");
    expect(dom).toContain("Batch cluster upgrade");
    expect(dom).not.toMatch(/<script/i);
  });

  it("draws the bars and the banner in their colours (a screenshot)", async () => {
    const folder = tempFolder("status-page-shot");
    try {
      const file = path.join(folder.path, "page.png");
      await browse([`--screenshot=${file}`, "--window-size=1200,1600", `${base}/status-pages/${slug}`]);
      const image = decodePng(readFileSync(file));
      expect([image.width, image.height]).toEqual([1200, 1600]);
      // Green days (and the operational state), the red outage day and banner, grey days before the history.
      expect(countColour(image, "#2da44e")).toBeGreaterThan(2_000);
      expect(countColour(image, "#d1242f")).toBeGreaterThan(2_000);
      expect(countColour(image, "#d8dee4")).toBeGreaterThan(1_000);
    } finally {
      folder.remove();
    }
  });

  // Headless Chromium can neither dump nor screenshot a page with scripts switched off in
  // the browser (both need them), so "without scripts" is the page's own policy: it is
  // served with a CSP under which no script runs, and every render above is scripts-off.
  // This shows the policy does stop a script in this Chromium.
  it("is served under a policy that runs no script, which Chromium honours", async () => {
    const res = await anonymous.request(`/status-pages/${slug}`, { headers: { accept: "text/html" } });
    expect(res.headers.get("content-security-policy")).toBe(STATUS_PAGE_CSP);
    expect(await res.text()).not.toMatch(/<script/i);
    const withPolicy = new URL("http://x/?policy").search;
    const control = serve({
      fetch: (req) =>
        new Response('<p id="p">static</p><script>document.getElementById("p").textContent = "a script ran"</script>', {
          headers: { "content-type": "text/html", ...(new URL(req.url).search === withPolicy ? { "content-security-policy": STATUS_PAGE_CSP } : {}) },
        }),
      port: 0,
      hostname: "127.0.0.1",
    }) as Server;
    await new Promise((resolve) => control.once("listening", resolve));
    try {
      const at = `http://127.0.0.1:${(control.address() as AddressInfo).port}/`;
      expect(await browse(["--dump-dom", `${at}${withPolicy}`])).toContain('<p id="p">static</p>');
      expect(await browse(["--dump-dom", at])).toContain('<p id="p">a script ran</p>');
    } finally {
      await new Promise((resolve) => control.close(resolve));
    }
  });
});
if (!chromium) describe("status page in headless Chromium (skipped: no chromium on PATH; install Debian's chromium)", () => it.skip("needs chromium", () => {}));

describe("maintenance windows and incidents", () => {
  it("holds a service in maintenance, and returns it to its own state when the window ends", async () => {
    const name = unique("svc-maint");
    await h.postJson("/v1/logs", [{ service: name, status: 503 }, { service: name, status: 503 }]);
    expect(((await (await h.get(`/status/${name}`)).json()) as { state: string }).state).toBe("down");
    const created = (await (await h.postJson("/maintenance", { title: "Reboot", services: [name], starts_at: new Date(Date.now() - 1000).toISOString(), ends_at: new Date(Date.now() + 600_000).toISOString() })).json()) as { id: number; active: boolean };
    expect(created.active).toBe(true);
    expect(await (await h.get(`/status/${name}`)).json()).toMatchObject({ state: "maintenance", reason: expect.stringMatching(/^in maintenance until .*: Reboot$/) });
    expect((await h.admin.send("DELETE", `/maintenance/${created.id}`)).status).toBe(204);
    expect(((await (await h.get(`/status/${name}`)).json()) as { state: string }).state).toBe("down");
    expect(((await (await h.get("/maintenance")).json()) as { items: { id: number }[] }).items.map((w) => w.id)).not.toContain(created.id);
  });

  it("posts updates until resolved, and lets only who may change every service declare or update one", async () => {
    const created = (await (await h.postJson("/incidents", { title: "Slow search", services: [web], status: "identified", message: "An index is missing." })).json()) as { id: number };
    const resolved = await h.postJson(`/incidents/${created.id}/updates`, { status: "resolved", message: "Index rebuilt." });
    expect(resolved.status).toBe(201);
    expect(await resolved.json()).toMatchObject({ status: "resolved", resolved_at: expect.any(String), updates: [{ status: "resolved", message: "Index rebuilt." }, { status: "identified" }] });
    expect(((await (await h.get("/incidents")).json()) as { items: { id: number }[] }).items.map((i) => i.id)).not.toContain(created.id);
    expect(((await (await h.get("/incidents?include=all")).json()) as { items: { id: number }[] }).items.map((i) => i.id)).toContain(created.id);

    const viewer = await h.caller({ role: "viewer", teams: [team] });
    expect((await viewer.postJson("/incidents", { title: "x", services: [web], message: "x" })).status).toBe(403);
    expect((await viewer.get(`/incidents/${created.id}`)).status).toBe(200);
    const stranger = await h.caller({ role: "operator", teams: [unique("team-other")] });
    expect((await stranger.get(`/incidents/${created.id}`)).status).toBe(404);
    const refused = await stranger.postJson("/incidents", { title: "x", services: [web], message: "x" });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe("services");
    const reader = await h.caller({ role: "operator", teams: [unique("team-reader")], grants: [{ service: web, access: "read" }] });
    expect((await reader.postJson("/incidents", { title: "x", services: [web], message: "x" })).status).toBe(403);
    expect((await reader.postJson(`/incidents/${created.id}/updates`, { status: "monitoring", message: "x" })).status).toBe(403);
    expect((await reader.postJson("/maintenance", { title: "x", services: [web], starts_at: new Date().toISOString(), ends_at: new Date(Date.now() + 60_000).toISOString() })).status).toBe(403);
  });
});
