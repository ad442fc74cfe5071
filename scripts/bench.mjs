// Timings of the widget in headless Chromium against the dev tenant (loopback), over N
// runs: wasm init, mount → ready (token pre-flight + PKCE prepared), click → popup on the
// login page, login → confirm shown (token exchange + JWKS + WebCrypto verification),
// confirm → linked (the link request). Then a peer in the same run: a page written like
// Auth0's own linking sample (auth0-spa-js loginWithPopup, then POST …/identities with
// link_with) against the widget's headless linkWithPopup, both with the tenant's
// auto-login, as ratios widget / peer, with two definitions of load: import → ready (cold)
// and load → ready (with the primary token); then load → ready cold for pages that load the
// widget in three ways (after the token; at once beside it; at once with preload hints),
// against the peer's page. Then 100 link/unlink cycles on one page with the
// wasm memory and JS heap before and after. Medians and ranges, written to
// docs/benchmarks.md.
// Usage: node scripts/bench.mjs [runs] [--cycles N] [--write docs/benchmarks.md]
//        (after scripts/build-package)
import { readFileSync, writeFileSync, mkdtempSync, readdirSync, symlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startTenant, launchBrowser, ROOT } from "../tests/e2e/support.mjs";

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 10);
const writeIndex = args.indexOf("--write");
const out = writeIndex >= 0 ? args[writeIndex + 1] : null;
const cyclesIndex = args.indexOf("--cycles");
const cycles = cyclesIndex >= 0 ? Number(args[cyclesIndex + 1]) : 100;
const GOOGLE = "google-oauth2|100000000000000000001";
// The app origin serves the demo plus a blank page for the measured scripts, from a
// temporary folder (so the demo folder holds no benchmark fixture).
const BLANK = "<!doctype html><html lang=en><head><meta charset=utf-8><title>bench</title><link rel=icon href='data:,'></head><body></body></html>";
const appDir = mkdtempSync(path.join(tmpdir(), "aal-bench-"));
for (const name of readdirSync(path.join(ROOT, "www"))) symlinkSync(path.join(ROOT, "www", name), path.join(appDir, name));
writeFileSync(path.join(appDir, "bench.html"), BLANK);
// Pages that load an app from their first byte (a module script in the head): sign-in
// state and token first, the widget as the README's "Loading early" describes it or not.
// `?variant=peer`: auth0-spa-js clients only; `sequential`: the token, then the widget
// (import + init); `early`: the widget's import + init started at once, beside the token.
// `bench-hints.html` is the same page with the README's preload hints in its head.
// (A file, not an inline script: the app server's CSP allows scripts from 'self' only.)
const LOADER_JS = `
const variant = new URLSearchParams(location.search).get("variant");
window.benchStep = "config";
const config = await (await fetch("/config.json")).json();
const loadWidget = () => import("/pkg/index.js").then(async (w) => { await w.default(); return w; });
const early = variant === "early" ? loadWidget() : null;
const { createAuth0Client } = await import(config.spaJs);
const options = { domain: config.domain, clientId: config.clientId, authorizationParams: { redirect_uri: location.origin + "/", audience: config.domain + "/api/v2/", scope: "openid profile email read:current_user update:current_user_identities" } };
window.benchStep = "client";
const primary = await createAuth0Client(options);
window.benchStep = "token";
await primary.getTokenSilently();
window.benchStep = "widget";
if (variant === "peer") await createAuth0Client({ domain: config.domain, clientId: config.clientId, authorizationParams: { redirect_uri: location.origin + "/" } });
else await (early ?? loadWidget());
window.readyAt = performance.now();
`;
const LOADER = '<script type="module" src="/bench-load.js"></script>';
const HINTS = [
  '<link rel="modulepreload" href="/pkg/index.js">',
  '<link rel="modulepreload" href="/pkg/auth0_account_link.js">',
  '<link rel="preload" href="/pkg/auth0_account_link_bg.wasm" as="fetch" type="application/wasm" crossorigin>',
].join("");
writeFileSync(path.join(appDir, "bench-load.js"), LOADER_JS);
writeFileSync(path.join(appDir, "bench-load.html"), BLANK.replace("</head>", `${LOADER}</head>`));
writeFileSync(path.join(appDir, "bench-hints.html"), BLANK.replace("</head>", `${HINTS}${LOADER}</head>`));

// Many cycles in a row would meet the tenant's per-user rate limit (100 calls a minute).
const tenant = await startTenant({ appDir, extraArgs: ["--rate-limit", "100000"] });
// Chromium (Playwright's own page API, CDP for the cache and the GC), whatever E2E_BROWSER says.
const browser = await launchBrowser("chromium");
const samples = { init: [], ready: [], popup: [], verify: [], link: [], total: [] };
const samplesOff = { init: [], ready: [], popup: [], verify: [], link: [], total: [] };
// `widgetOff`: the same headless link with `reauthenticate: false` (the secondary's login
// alone, as before the primary's sign-in again): what that sign-in costs a recent session.
// `widgetCarry`: the same headless link with `carryUserMetadata: "primary-wins"` (the Google
// account's saved settings read, written to Alice, Alice read again after the link).
// Import → ready, cold, of the three codes on loopback and on the slow network.
const imports = { widget: [], headless: [], peer: [], widgetSlow: [], headlessSlow: [], peerSlow: [] };
const peer = { storeReady: [], storeLink: [], storeAfterToken: [], storeSlowReady: [], storeSlowLink: [], storeSlowAfterToken: [], headlessReady: [], headlessLink: [], headlessAfterToken: [], peerSlowReady: [], peerSlowLink: [], peerSlowAfterToken: [], widgetSlowReady: [], widgetSlowLink: [], widgetSlowAfterToken: [], headlessSlowReady: [], headlessSlowLink: [], headlessSlowAfterToken: [], widgetReady: [], peerReady: [], widgetOffReady: [], widgetCarryReady: [], widgetLink: [], peerLink: [], widgetOffLink: [], widgetCarryLink: [], widgetCold: [], peerCold: [], widgetAfterToken: [], peerAfterToken: [], widgetOffAfterToken: [], widgetCarryAfterToken: [], steps: {} };
const config = await (await fetch(`${tenant.app}/config.json`)).json();

/** import → ready, cold: a new page with the HTTP cache (and with it the compiled-module
 *  cache) off, from `import()` of the code to the moment a click could start a link: the
 *  widget's module imported and its wasm fetched, compiled and initialised; the peer's
 *  auth0-spa-js imported and its client constructed. Nothing else on the page. */
async function importToReady(who, { slow = false } = {}) {
  return onColdPage(async (page) => {
    await page.goto(`${tenant.app}/bench.html?cold=${who}`);
    return page.evaluate(
      async ({ who, config }) => {
        const t0 = performance.now();
        if (who === "widget") {
          const widget = await import("/pkg/index.js");
          await widget.default();
        } else if (who === "headless") {
          const headless = await import("/pkg/headless.js");
          await headless.default();
        } else {
          const { Auth0Client } = await import(config.spaJs);
          new Auth0Client({ domain: config.domain, clientId: config.clientId, authorizationParams: { redirect_uri: `${location.origin}/` } });
        }
        return performance.now() - t0;
      },
      { who, config },
    );
  }, { slow });
}

/** A slow mobile network, as Chromium emulates it: 1.6 Mbps down, 750 kbps up, 150 ms
 *  round trips (Lighthouse's "slow 4G" figures). */
const SLOW_NETWORK = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

/** The fixture Google account's saved settings, written by the tenant's back end
 *  (client credentials, `update:users`). */
async function restoreGoogleSettings() {
  const grant = await fetch(`${tenant.issuer}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: "demo-backend",
      client_secret: "dev-tenant-backend-secret-not-for-production",
      audience: `${tenant.issuer}/api/v2/`,
    }),
  });
  const { access_token: token } = await grant.json();
  const r = await fetch(`${tenant.issuer}/api/v2/users/${encodeURIComponent(GOOGLE)}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ user_metadata: { theme: "dark", newsletter: true, locale: "fr" } }),
  });
  if (!r.ok) throw new Error(`bench: restoring the Google account's settings: ${r.status} ${await r.text()}`);
}

/** `fn(page)` on a new page with the HTTP cache (and with it the compiled-module cache) off. */
async function onColdPage(fn, { slow = false } = {}) {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  // On the slow network the files come compressed (the bytes are the cost); on loopback
  // uncompressed, so that the tenant's on-the-fly compression (a CDN serves files
  // compressed ahead) is not timed on either side.
  if (slow) await cdp.send("Network.emulateNetworkConditions", SLOW_NETWORK);
  else {
    await cdp.send("Network.enable");
    await cdp.send("Network.setExtraHTTPHeaders", { headers: { "Accept-Encoding": "identity" } });
  }
  try {
    return await fn(page);
  } finally {
    await cdp.detach();
    await page.close();
  }
}
/** load → ready, cold: navigation start until the page's script can link (see LOADER),
 *  with the HTTP cache (and the compiled-module cache) off; the primary signed in. A widget
 *  page must request the wasm once (a preload must be used, not fetched twice). */
const cold = { peer: [], sequential: [], early: [], hints: [] };
async function loadToReadyCold(variant) {
  await onColdPage(async (page) => {
    const before = (await tenant.requests()).length;
    const file = variant === "hints" ? "bench-hints.html?variant=early" : `bench-load.html?variant=${variant}`;
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${tenant.app}/${file}&n=${cold[variant].length}`);
    await page.waitForFunction(() => window.readyAt !== undefined, null, { timeout: 30000 }).catch(async (e) => {
      const at = await page.evaluate(() => window.benchStep).catch(() => "?");
      throw new Error(`${variant}: the page never got ready (${errors.join("; ") || e.message}; last step: ${at})`);
    });
    cold[variant].push(await page.evaluate(() => window.readyAt));
    // A preload the page's own fetch does not reuse would be a second request: the hints
    // would cost bytes instead of saving time, and the table would say otherwise.
    const wasm = (await tenant.requests()).slice(before).filter((r) => r.url.endsWith(".wasm")).length;
    if (variant !== "peer" && wasm !== 1) throw new Error(`${variant}: the wasm was requested ${wasm} times on one page`);
  });
}
let memory = null;
try {
  const page = await browser.context.newPage();
  // The secondary login in the popup starts a tenant session of its own (as Auth0's
  // prompt=login does), so each run signs Alice in again first (not measured).
  const signInAlice = async () => {
    await page.goto(`${tenant.issuer}/v2/logout`);
    await page.goto(`${tenant.app}/`);
    // The demo keeps its tokens across loads (its recommended configuration): start from none.
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator('button[data-identity="auth0|alice"]').click();
    await page.waitForURL(`${tenant.app}/**`);
    await page.locator('.aal-status[data-status="ready"]').waitFor();
  };
  /** One link, measured: load → ready (from a blank page: the primary's token, the code
   *  loaded, ready to link), click → linked, the page's own part after the login and the
   *  request trace. `slow`: the page and its login window on the emulated slow network. */
  async function linkRun(who, i, { slow = false } = {}) {
    const cdp = slow ? await browser.context.newCDPSession(page) : null;
    // The login window on the same network: each of its requests waits one round trip
    // before it goes (the context's routes apply to a popup from its first request on,
    // which Chromium's emulation, set per page once the popup exists, would miss). Its
    // pages are small: the round trips are their cost. (A redirect's next hop is not
    // routed again: the same for both sides.)
    const throttle = async (route) => {
      let opener = false;
      try {
        opener = route.request().frame().page() === page;
      } catch {
        // A new window's first navigation, issued before its frame exists: the popup's.
      }
      if (!opener) await new Promise((r) => setTimeout(r, SLOW_NETWORK.latency));
      await route.continue();
    };
    if (slow) {
      await cdp.send("Network.emulateNetworkConditions", SLOW_NETWORK);
      await browser.context.route("**/*", throttle);
    }
    try {
      await page.goto(`${tenant.app}/bench.html?${who}=${i}&slow=${slow}`);
      const ready = await page.evaluate(async (who) => {
        const t0 = performance.now();
        const config = await (await fetch("/config.json")).json();
        const audience = `${config.domain}/api/v2/`;
        const { createAuth0Client } = await import(config.spaJs);
        const primary = await createAuth0Client({
          domain: config.domain,
          clientId: config.clientId,
          authorizationParams: { redirect_uri: `${location.origin}/`, audience, scope: "openid profile email read:current_user update:current_user_identities" },
        });
        const button = document.createElement("button");
        button.id = "link";
        document.body.append(button);
        window.result = null;
        const done = (ids) => (window.result = { ms: performance.now() - window.clickAt, ids: ids.length });
        const failed = (e) => (window.result = { error: String(e.code ?? e.message ?? e) });
        if (who === "peer") {
          // As Auth0's sample: a second client for the secondary login, kept in memory.
          const secondary = await createAuth0Client({ domain: config.domain, clientId: config.clientId, authorizationParams: { redirect_uri: `${location.origin}/` } });
          const user = await primary.getUser();
          await primary.getTokenSilently();
          button.onclick = () => {
            window.clickAt = performance.now();
            secondary
              .loginWithPopup({ authorizationParams: { connection: "google-oauth2", prompt: "login" } })
              .then(async () => {
                const { __raw } = await secondary.getIdTokenClaims();
                const token = await primary.getTokenSilently();
                const r = await fetch(`${audience}users/${encodeURIComponent(user.sub)}/identities`, {
                  method: "POST",
                  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
                  body: JSON.stringify({ link_with: __raw }),
                });
                if (!r.ok) throw new Error(`link: ${r.status}`);
                done(await r.json());
              })
              .catch(failed);
          };
        } else if (who === "store") {
          // An own UI on the headless entry's store: the session prepares ahead of the
          // click (the list, the pre-flight, the primary's sign-in again in its frame).
          await primary.getTokenSilently();
          const { createAccountLink } = await import("/pkg/headless.js");
          const store = createAccountLink({ domain: config.domain, clientId: config.clientId, getAccessToken: () => primary.getTokenSilently() });
          window.store = store;
          await new Promise((resolve) => {
            const ready = () => store.getSnapshot().status === "ready" && resolve();
            store.subscribe(ready);
            ready();
          });
          // The page answers the question at once (the widget's user clicks "Link").
          store.subscribe(() => {
            const s = store.getSnapshot();
            if (s.question?.kind === "confirm") store.answer(s.question.id, true);
            if (window.clickAt === undefined || window.result !== null) return;
            if (s.last?.kind === "linked") done(s.identities);
            else if (s.last?.kind === "error") failed(s.last.error);
          });
          button.onclick = () => {
            window.clickAt = performance.now();
            store.link("google-oauth2");
          };
        } else {
          await primary.getTokenSilently();
          const widget = await import(who === "headless" ? "/pkg/headless.js" : "/pkg/index.js");
          await widget.default();
          // getAccessToken calls are traced (start–end after the click) beside the requests.
          window.tokenCalls = [];
          const getAccessToken = async () => {
            const start = performance.now();
            const token = await primary.getTokenSilently();
            window.tokenCalls.push([start, performance.now()]);
            return token;
          };
          const options = {
            domain: config.domain,
            clientId: config.clientId,
            getAccessToken,
            reauthenticate: who === "widgetOff" ? false : undefined,
            carryUserMetadata: who === "widgetCarry" ? "primary-wins" : undefined,
          };
          window.options = options;
          window.widget = widget;
          button.onclick = () => {
            window.clickAt = performance.now();
            widget.linkWithPopup(options, { connection: "google-oauth2" }).then(done, failed);
          };
        }
        return performance.now() - t0;
      }, who);
      // The store's user reads the page first, as the widget's does: the sign-in again
      // asked ahead of the click has answered.
      if (who === "store") await page.waitForTimeout(1000);
      await tenant.test("/test/auto-login", { identity: GOOGLE });
      await page.locator("#link").click();
      await page.waitForFunction(() => window.result !== null, null, { timeout: 60000 });
      const result = await page.evaluate(() => window.result);
      if (result.error) throw new Error(`${who}: ${result.error}`);
      // The request trace of this link, relative to the click (the last run's is reported).
      const steps = await page.evaluate(() =>
        [
          ...performance.getEntriesByType("resource").map((e) => [e.startTime, e.responseEnd, new URL(e.name).pathname]),
          ...(window.tokenCalls ?? []).map(([start, end]) => [start, end, "getAccessToken()"]),
        ]
          .filter(([start]) => start >= window.clickAt)
          .sort((a, b) => a[0] - b[0])
          .map(([start, end, what]) => `${(start - window.clickAt).toFixed(0)}–${(end - window.clickAt).toFixed(0)} ms ${what}`),
      );
      // The page's own part after the login: the code exchange answered → the link request
      // sent (the popup's page loads, the same for both, are outside it).
      const afterToken = await page.evaluate(() => {
          const entries = performance.getEntriesByType("resource").filter((e) => e.startTime >= window.clickAt);
          const link = entries.filter((e) => new URL(e.name).pathname.endsWith("/identities")).pop();
          // The code exchange: the last token request answered before the link (a silent
          // renewal of the primary token, if any, would be another /oauth/token).
          const token = entries
            .filter((e) => new URL(e.name).pathname === "/oauth/token" && link && e.responseEnd <= link.startTime)
            .pop();
          if (!token || !link) throw new Error("bench: no token or link request in the trace");
          return link.startTime - token.responseEnd;
      });
      return { ready, ms: result.ms, steps, afterToken };
    } finally {
      if (slow) {
        await browser.context.unroute("**/*", throttle);
        await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
        await cdp.detach();
      }
    }
  }

  /** Unlinks the Google login again (not measured) so that the next run links the same
   *  account, with the same settings. */
  async function unlinkGoogle() {
    // Unlink again (not measured) so that the next run links the same account.
    await page.evaluate(async () => {
      const config = await (await fetch("/config.json")).json();
      const widget = await import("/pkg/index.js");
      await widget.default();
      const { createAuth0Client } = await import(config.spaJs);
      const c = await createAuth0Client({ domain: config.domain, clientId: config.clientId, authorizationParams: { redirect_uri: `${location.origin}/`, audience: `${config.domain}/api/v2/`, scope: "openid profile email read:current_user update:current_user_identities update:current_user_metadata" } });
      // Outside a click: the host's token removes it (no sign-in again, not measured).
      await widget.unlink({ domain: config.domain, clientId: config.clientId, getAccessToken: () => c.getTokenSilently(), reauthenticate: false }, { provider: "google-oauth2", userId: "100000000000000000001" });
      // What a carry-over wrote goes again, so that every run carries the same.
      await fetch(`${config.domain}/api/v2/users/${encodeURIComponent("auth0|alice")}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${await c.getTokenSilently()}`, "content-type": "application/json" },
        body: JSON.stringify({ user_metadata: { theme: null, newsletter: null } }),
      });
    });
    // The unlinked Google login is a user of its own again, without the settings the
    // link discarded: the tenant's back end gives them back (the fixture's), so that every
    // run's link finds the same.
    await restoreGoogleSettings();
  }

  // The mounted widget, with the primary's sign-in again (the default) and without it
  // (`reauthenticate: false`), alternating which goes first. The user clicks once the
  // widget says ready and the page has settled (1 s: the sign-in ahead of the click has
  // answered, as it has for a person who reads the widget first).
  for (let i = 0; i < runs; i++) {
    for (const reauth of i % 2 ? [true, false] : [false, true]) {
      const into = reauth ? samples : samplesOff;
      await signInAlice();
      // A fresh page load each run: wasm init and mount are measured cold (HTTP cache on).
      await page.goto(`${tenant.app}/bench.html?run=${i}&reauth=${reauth}`);
      const t = await page.evaluate(async (reauth) => {
        const widget = await import("/pkg/index.js");
        const t0 = performance.now();
        await widget.default();
        const t1 = performance.now();
        const host = document.createElement("div");
        document.body.append(host);
        const config = await (await fetch("/config.json")).json();
        const token = await (await import(config.spaJs)).createAuth0Client({
          domain: config.domain,
          clientId: config.clientId,
          authorizationParams: { redirect_uri: `${location.origin}/`, audience: `${config.domain}/api/v2/`, scope: "openid profile email read:current_user update:current_user_identities" },
        });
        await token.getTokenSilently();
        const t2 = performance.now();
        window.benchHandle = widget.mount(host, { domain: config.domain, clientId: config.clientId, getAccessToken: () => token.getTokenSilently(), connections: [{ name: "google-oauth2" }], reauthenticate: reauth ? undefined : false });
        host.id = "bench-host";
        await new Promise((resolve) => {
          const check = () => (host.querySelector('.aal-status[data-status="ready"]') ? resolve() : setTimeout(check, 2));
          check();
        });
        return { init: t1 - t0, ready: performance.now() - t2 };
      }, reauth);
      into.init.push(t.init);
      into.ready.push(t.ready);
      await page.waitForTimeout(1000);
      const host = page.locator("#bench-host");
      const popupPromise = page.waitForEvent("popup");
      const clickAt = Date.now();
      await host.locator('button.aal-link[data-connection="google-oauth2"]').click();
      const popup = await popupPromise;
      const choice = popup.locator('button[data-identity="google-oauth2|100000000000000000001"]');
      await choice.waitFor();
      into.popup.push(Date.now() - clickAt);
      const loginAt = Date.now();
      await choice.click();
      await host.locator(".aal-confirm").waitFor();
      into.verify.push(Date.now() - loginAt);
      const confirmAt = Date.now();
      await host.locator(".aal-confirm-link").click();
      await host.locator('.aal-identity[data-provider="google-oauth2"]').waitFor();
      into.link.push(Date.now() - confirmAt);
      into.total.push(into.popup.at(-1) + into.verify.at(-1) + into.link.at(-1));
      // Unlink again (not measured) so that the next run links the same account.
      await host.locator('.aal-identity[data-provider="google-oauth2"] .aal-unlink').click();
      await host.locator(".aal-confirm-unlink").click();
      await host.locator('.aal-identity[data-provider="google-oauth2"]').waitFor({ state: "detached" });
      await restoreGoogleSettings();
    }
  }

  // The peer and the widget's headless link, alternating, each on a fresh page whose
  // primary user is signed in (not measured). load → ready: from the page's start to a
  // click that can link (the peer: its auth0-spa-js clients and the primary token; the
  // widget: the same primary token, then init + a prepared flow). click → linked: the
  // click until the new identities are known. The tenant's auto-login answers /authorize.
  for (let i = 0; i < runs; i++) {
    const everyone = ["peer", "widget", "headless", "store", "widgetOff", "widgetCarry"];
    for (const who of everyone.map((_, k) => everyone[(k + i) % everyone.length])) {
      if (who === "peer" || who === "widget") peer[`${who}Cold`].push(await importToReady(who));
      // The three codes' import → ready, cold, on loopback and on the slow network.
      if (who === "widgetOff") {
        for (const code of ["widget", "headless", "peer"].map((_, k, all) => all[(k + i) % all.length])) {
          imports[code].push(await importToReady(code));
          imports[`${code}Slow`].push(await importToReady(code, { slow: true }));
        }
      }
      await signInAlice();
      // The cold page loads, each variant in turn (the tenant session is Alice's).
      // (The widget's three in a rotating order, so that none is always first.)
      const variants = ["sequential", "early", "hints"].map((_, k, all) => all[(k + i) % all.length]);
      for (const variant of who === "peer" ? ["peer"] : who === "widget" ? variants : []) await loadToReadyCold(variant);
      const run = await linkRun(who, i);
      peer.steps[who] = run.steps;
      peer[`${who}Ready`].push(run.ready);
      peer[`${who}Link`].push(run.ms);
      peer[`${who}AfterToken`].push(run.afterToken);
      await unlinkGoogle();
      // The same link on the emulated slow network (the page and its login window), for
      // the two entries and the peer.
      if (who === "peer" || who === "widget" || who === "headless" || who === "store") {
        await signInAlice();
        const slow = await linkRun(who, i, { slow: true });
        peer[`${who}SlowReady`].push(slow.ready);
        peer[`${who}SlowLink`].push(slow.ms);
        peer[`${who}SlowAfterToken`].push(slow.afterToken);
        peer.steps[`${who}Slow`] = slow.steps;
        await unlinkGoogle();
      }
    }
  }

  // Many cycles on one page (headless API, auto-login): memory before and after.
  if (cycles > 0) {
    await signInAlice();
    await page.goto(`${tenant.app}/bench.html?cycles`);
    await page.evaluate(async () => {
      const config = await (await fetch("/config.json")).json();
      const { createAuth0Client } = await import(config.spaJs);
      const primary = await createAuth0Client({ domain: config.domain, clientId: config.clientId, authorizationParams: { redirect_uri: `${location.origin}/`, audience: `${config.domain}/api/v2/`, scope: "openid profile email read:current_user update:current_user_identities" } });
      await primary.getTokenSilently();
      const widget = await import("/pkg/index.js");
      window.wasm = await widget.default();
      // The cycles measure the link/unlink machinery's memory; the sign-in again is timed
      // above (each cycle's unlink, outside a click, uses the host's token).
      window.options = { domain: config.domain, clientId: config.clientId, getAccessToken: () => primary.getTokenSilently(), reauthenticate: false };
      window.widget = widget;
      const button = document.createElement("button");
      button.id = "link";
      document.body.append(button);
      button.onclick = () => {
        window.result = null;
        widget.linkWithPopup(window.options, { connection: "google-oauth2" }).then(
          (ids) => (window.result = { ids: ids.length }),
          (e) => (window.result = { error: e.code }),
        );
      };
    });
    const sample = async () => {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send("HeapProfiler.collectGarbage");
      await cdp.detach();
      // The export names are minified (scripts/minify-wasm-names.mjs): find the memory by type.
      return page.evaluate(() => ({
        wasm: Object.values(window.wasm).find((e) => e instanceof WebAssembly.Memory).buffer.byteLength,
        heap: performance.memory.usedJSHeapSize,
      }));
    };
    const cycle = async () => {
      await tenant.test("/test/auto-login", { identity: GOOGLE });
      await page.locator("#link").click();
      await page.waitForFunction(() => window.result != null, null, { timeout: 30000 });
      const result = await page.evaluate(() => window.result);
      if (result.error) throw new Error(`cycle: ${result.error}`);
      await page.evaluate(() => window.widget.unlink({ ...window.options, reauthenticate: false }, { provider: "google-oauth2", userId: "100000000000000000001" }));
    };
    // Warm up (first JWKS fetch, first allocations), then measure.
    for (let i = 0; i < 3; i++) await cycle();
    const before = await sample();
    for (let i = 0; i < cycles; i++) await cycle();
    const after = await sample();
    memory = { before, after };
  }
} finally {
  await browser.close();
  tenant.stop();
  rmSync(appDir, { recursive: true, force: true });
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return `${median.toFixed(1)} ms (${s[0].toFixed(1)}–${s[s.length - 1].toFixed(1)})`;
};
const rows = [
  ["wasm init (`await init()`)", "init"],
  ["mount → ready (list identities, token pre-flight, PKCE via WebCrypto)", "ready"],
  ["click → popup shows the account's login page", "popup"],
  ["login → confirm shown (token exchange, JWKS, RS256 via WebCrypto)", "verify"],
  ["confirm → linked (POST …/identities, list updated)", "link"],
  ["**click → linked** (the three steps above; the login and the yes are clicks)", "total"],
];
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ratio = (a, b) => `${(median(a) / median(b)).toFixed(2)}×`;
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
const report = [
  `${runs} runs, headless Chromium, dev tenant on loopback; median (min–max).`,
  "",
  "The mounted widget (`mount()`, the Yew component), with the primary's sign-in again (the",
  "default) and with `reauthenticate: false`, alternating; a recent session; the click 1 s",
  "after ready.",
  "",
  "| step | sign-in again (default) | `reauthenticate: false` | default / off |",
  "|---|---:|---:|---:|",
  ...rows.map(([name, key]) => `| ${name} | ${stats(samples[key])} | ${stats(samplesOff[key])} | ${ratio(samples[key], samplesOff[key])} |`),
  "",
  "Against a peer in the same run: a page written like Auth0's own linking sample",
  "(auth0-spa-js `loginWithPopup` on a second client, then `POST …/identities` with",
  "`link_with`, no ID token checks of its own) and the widget's headless `linkWithPopup`,",
  "alternating, the tenant's auto-login answering the popup.",
  "",
  "| | widget | peer | widget / peer |",
  "|---|---:|---:|---:|",
  `| import → ready, cold (no HTTP or compiled-module cache: code fetched, compiled, initialised) | ${stats(peer.widgetCold)} | ${stats(peer.peerCold)} | ${ratio(peer.widgetCold, peer.peerCold)} |`,
  `| load → ready (primary token fetched, code loaded, ready to link; HTTP cache on) | ${stats(peer.widgetReady)} | ${stats(peer.peerReady)} | ${ratio(peer.widgetReady, peer.peerReady)} |`,
  `| click → linked | ${stats(peer.widgetLink)} | ${stats(peer.peerLink)} | ${ratio(peer.widgetLink, peer.peerLink)} |`,
  `| of which the page's own part after the login: code exchange answered → link request sent | ${stats(peer.widgetAfterToken)} | ${stats(peer.peerAfterToken)} | ${ratio(peer.widgetAfterToken, peer.peerAfterToken)} |`,
  "",
  "Each entry against the peer, in the same run: import → ready, cold (a blank page, no HTTP",
  "or compiled-module cache: the code fetched, compiled, initialised), and the link above",
  "(`linkWithPopup` of each entry, a one-shot call: the same session and checks, the widget's",
  "wasm or the headless one; and an own UI's store, `createAccountLink` of the headless",
  "entry, whose session prepares ahead of the click as the mounted widget's does, its",
  "question answered by the page at once), on loopback and on an emulated slow mobile",
  "network (Chromium: 1.6 Mbps down, 750 kbps up, 150 ms round trips for the page; its",
  "login window's requests each one round trip later). The dev tenant serves its files",
  "compressed as a host does (on loopback the cold loads ask for them uncompressed, so",
  "that its on-the-fly compression is timed on neither side): the widget's wasm + glue",
  "about 181 KiB, the headless 118 KiB, auth0-spa-js 62 KiB.",
  "",
  "| | widget (`auth0-account-link`) | headless (`…/headless`) | store (`createAccountLink`, headless) | peer (auth0-spa-js) | headless / peer | store / peer |",
  "|---|---:|---:|---:|---:|---:|---:|",
  `| import → ready, cold | ${stats(imports.widget)} | ${stats(imports.headless)} | (the headless entry's) | ${stats(imports.peer)} | ${ratio(imports.headless, imports.peer)} | |`,
  ...[
    ["load → ready (primary token fetched, code loaded, ready to link; the store: its list, pre-flight and sign-in again ahead)", "Ready"],
    ["click → linked", "Link"],
    ["the page's own part after the login", "AfterToken"],
  ].map(([name, key]) => `| ${name} | ${stats(peer[`widget${key}`])} | ${stats(peer[`headless${key}`])} | ${stats(peer[`store${key}`])} | ${stats(peer[`peer${key}`])} | ${ratio(peer[`headless${key}`], peer[`peer${key}`])} | ${ratio(peer[`store${key}`], peer[`peer${key}`])} |`),
  `| **slow network:** import → ready, cold | ${stats(imports.widgetSlow)} | ${stats(imports.headlessSlow)} | (the headless entry's) | ${stats(imports.peerSlow)} | ${ratio(imports.headlessSlow, imports.peerSlow)} | |`,
  ...[
    ["slow: load → ready", "SlowReady"],
    ["slow: click → linked", "SlowLink"],
    ["slow: the page's own part after the login", "SlowAfterToken"],
  ].map(([name, key]) => `| ${name} | ${stats(peer[`widget${key}`])} | ${stats(peer[`headless${key}`])} | ${stats(peer[`store${key}`])} | ${stats(peer[`peer${key}`])} | ${ratio(peer[`headless${key}`], peer[`peer${key}`])} | ${ratio(peer[`store${key}`], peer[`peer${key}`])} |`),
  "",
  "The requests after the click on the slow network (the last run; the page's own, not its",
  "window's), start–end: the headless one-shot call, the store, the peer:",
  "",
  "| headless `linkWithPopup` | store | peer |",
  "|---|---|---|",
  ...Array.from({ length: Math.max(...["headlessSlow", "storeSlow", "peerSlow"].map((k) => peer.steps[k]?.length ?? 0)) }, (_, i) =>
    `| ${peer.steps.headlessSlow?.[i] ?? ""} | ${peer.steps.storeSlow?.[i] ?? ""} | ${peer.steps.peerSlow?.[i] ?? ""} |`),
  "",
  "The primary's sign-in again (on by default) for a **recent** session: the same headless link",
  "with `reauthenticate: false` (the secondary's login alone), in the same run:",
  "",
  "| | sign-in again (default) | `reauthenticate: false` | default / off |",
  "|---|---:|---:|---:|",
  `| load → ready | ${stats(peer.widgetReady)} | ${stats(peer.widgetOffReady)} | ${ratio(peer.widgetReady, peer.widgetOffReady)} |`,
  `| click → linked | ${stats(peer.widgetLink)} | ${stats(peer.widgetOffLink)} | ${ratio(peer.widgetLink, peer.widgetOffLink)} |`,
  "",
  "Carrying the secondary's saved settings over (`carryUserMetadata: \"primary-wins\"`; the",
  "Google account holds three, Alice lacks two): the same headless link, in the same run.",
  "The part after the login now holds the read of Alice and the write before the link; the",
  "read of Alice after it is in click → linked.",
  "",
  "| | default | with `carryUserMetadata` | carry / default |",
  "|---|---:|---:|---:|",
  `| click → linked | ${stats(peer.widgetLink)} | ${stats(peer.widgetCarryLink)} | ${ratio(peer.widgetCarryLink, peer.widgetLink)} |`,
  `| code exchange answered → link request sent | ${stats(peer.widgetAfterToken)} | ${stats(peer.widgetCarryAfterToken)} | ${ratio(peer.widgetCarryAfterToken, peer.widgetAfterToken)} |`,
  "",
  "Its requests after the click (the last run), start–end:",
  "",
  ...(peer.steps.widgetCarry ?? []).map((line) => `- ${line}`),
  "",
  "(The widget's part after the login holds what the peer skips: the ID token's RS256",
  "check and the read of the secondary's own user, which refuses to merge another user's",
  "logins by surprise; the popup's own page loads and redirects are in click → linked",
  "for both and vary more between runs than the difference measured.)",
  "",
  "**Loading early**: a page that signs its user in from its first byte (auth0-spa-js",
  "client and a silent token), everything cold (no HTTP or compiled-module cache), from",
  "navigation start until a click could link, against the peer's page (its two clients and",
  "the token):",
  "",
  "| how the page loads the widget | load → ready, cold | / peer |",
  "|---|---:|---:|",
  `| the peer's page (no widget) | ${stats(cold.peer)} | 1.00× |`,
  `| token first, then \`import()\` + \`init()\` | ${stats(cold.sequential)} | ${ratio(cold.sequential, cold.peer)} |`,
  `| \`import()\` + \`init()\` started at once, beside the token | ${stats(cold.early)} | ${ratio(cold.early, cold.peer)} |`,
  `| the same, with \`modulepreload\` and \`preload as="fetch"\` hints in the head | ${stats(cold.hints)} | ${ratio(cold.hints, cold.peer)} |`,
  "",
  "(Each widget page requested the wasm once — checked on the tenant's request log: the preloaded response is the one `init()` uses.)",
  "",
  "Requests (and the widget's getAccessToken calls) after the click in the last run; the",
  "page's own, not the popup's; start–end:",
  "",
  "| widget | peer |",
  "|---|---|",
  ...Array.from({ length: Math.max(peer.steps.widget?.length ?? 0, peer.steps.peer?.length ?? 0) }, (_, i) =>
    `| ${peer.steps.widget?.[i] ?? ""} | ${peer.steps.peer?.[i] ?? ""} |`),
  "",
  ...(memory
    ? [
        `${cycles} link/unlink cycles on one page (headless API, after 3 warm-up cycles and a forced GC):`,
        "",
        "| | before | after |",
        "|---|---:|---:|",
        `| wasm memory | ${kib(memory.before.wasm)} | ${kib(memory.after.wasm)} |`,
        `| JS heap (used) | ${kib(memory.before.heap)} | ${kib(memory.after.heap)} |`,
        "",
      ]
    : []),
].join("\n");
console.log(report);
if (out) {
  const doc = readFileSync(out, "utf8");
  const [head, rest] = doc.split("<!-- bench:start -->");
  const tail = rest.split("<!-- bench:end -->")[1];
  writeFileSync(out, `${head}<!-- bench:start -->\n${report}<!-- bench:end -->${tail}`);
  console.log(`bench: wrote ${out}`);
}
