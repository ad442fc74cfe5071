// The package's headless functions and custom element, in each browser under test against
// the dev tenant: linkWithPopup (with its confirm callback), listIdentities, unlink, mount's
// config errors, and <auth0-account-link>.

import { test } from "node:test";
import assert from "node:assert/strict";
import SPANISH from "../../js/locales/es.js";
import { useTenantAndBrowser, signInAlice, signInInWindow } from "./support.mjs";

const env = useTenantAndBrowser();

async function headlessPage(query = "") {
  const page = await env.browser.newPage();
  await signInAlice(page, env);
  await page.goto(`${env.tenant.app}/headless.html${query}`);
  await page.locator("#status").filter({ hasText: "Ready." }).waitFor();
  return page;
}

/** Clicks "linkWithPopup (Google)" and signs in with Google in the popup it opens. */
async function linkGoogleInPopup(page) {
  const popupPromise = page.waitForPopup();
  await page.locator("#link-google").click();
  const popup = await popupPromise;
  await signInInWindow(popup, "google-oauth2|100000000000000000001");
}

/** No link call reached the tenant. */
async function assertNothingLinked() {
  const log = await env.tenant.test("/test/mgmt-log");
  assert.equal(log.filter((e) => e.method === "POST").length, 0, "nothing was linked");
}

async function result(page, previous = "") {
  await page.waitForFunction((p) => document.getElementById("result").textContent !== p, previous);
  return JSON.parse(await page.locator("#result").textContent());
}

test("linkWithPopup asks confirm, links, then listIdentities and unlink follow", async () => {
  const page = await headlessPage();
  await linkGoogleInPopup(page);
  assert.deepEqual(await result(page), { linked: "auth0,google-oauth2" });
  // confirm gets what the link would discard: the account's settings and app data, and
  // its user id (where the app's own records for it are).
  assert.deepEqual(JSON.parse(await page.locator("#confirm-seen").textContent()), {
    provider: "google-oauth2",
    email: "alice.example@gmail.test",
    emailVerified: true,
    userId: "google-oauth2|100000000000000000001",
    settings: ["locale", "newsletter", "theme"],
    appData: ["plan"],
  });
  let text = await page.locator("#result").textContent();
  await page.locator("#list").click();
  assert.deepEqual(await result(page, text), { listed: "auth0,google-oauth2" });
  text = await page.locator("#result").textContent();
  await page.locator("#unlink-google").click();
  assert.deepEqual(await result(page, text), { remaining: "auth0" });
  await page.close();
});

test("linkWithPopup opens one window, the one taken in the click, and links through it (the pre-open race)", async () => {
  // Firefox runs queued work while inside window.open: a flow that prepared its session
  // before taking the pre-opened window opened a second one at /authorize, then stored the
  // blank one over it and closed the real login (it hung in Firefox, 4 runs out of 4).
  const page = await headlessPage();
  await page.evaluate(() => {
    window.opened = [];
    const open = window.open;
    window.open = function (...args) {
      window.opened.push(String(args[0]));
      return open.apply(this, args);
    };
  });
  const popupPromise = page.waitForPopup();
  await page.locator("#link-google").click();
  const popup = await popupPromise;
  await popup.waitForURL(`${env.tenant.issuer}/authorize?**`);
  await signInInWindow(popup, "google-oauth2|100000000000000000001");
  assert.deepEqual(await result(page), { linked: "auth0,google-oauth2" });
  const opened = await page.evaluate(() => window.opened);
  assert.equal(opened.length, 1, `one window for one login: ${opened.join(", ")}`);
  await page.close();
});

test("under Cross-Origin-Opener-Policy same-origin, linkWithPopup rejects at once with popup_blocked naming the header", async () => {
  const page = await headlessPage("?coop=same-origin");
  const clicked = Date.now();
  await page.locator("#link-google").click();
  const r = await result(page);
  assert.ok(Date.now() - clicked < 5000, `answered after ${Date.now() - clicked} ms`);
  assert.equal(r.error, "popup_blocked", JSON.stringify(r));
  assert.match(r.message, /Cross-Origin-Opener-Policy: same-origin.*same-origin-allow-popups/);
  assert.match(r.userMessage, /^This page cannot receive the answer of the sign-in window\. Continue in this tab/);
  await assertNothingLinked();
  await page.close();
});

test("a confirm callback answering false ends with cancelled and links nothing", async () => {
  const page = await headlessPage();
  await page.locator("#accept").uncheck();
  await linkGoogleInPopup(page);
  const r = await result(page);
  assert.equal(r.error, "cancelled");
  assert.equal(r.actor, "user");
  await assertNothingLinked();
  await page.close();
});

test("a confirm callback answering a sentence is no yes: cancelled, nothing linked", async () => {
  const page = await headlessPage();
  await page.locator("#sentence").check();
  await linkGoogleInPopup(page);
  const r = await result(page);
  assert.equal(r.error, "cancelled");
  await assertNothingLinked();
  await page.close();
});

test("linkWithPopup asks the host's beforeLink as the widget does: its sentence stops the link", async () => {
  const page = await headlessPage("?policy=no-google");
  await linkGoogleInPopup(page);
  const r = await result(page);
  assert.equal(r.error, "cancelled");
  assert.ok(await page.locator("#confirm-seen").textContent(), "confirm was asked first");
  await assertNothingLinked();
  await page.close();
});

test("resumeRedirect asks confirm and beforeLink too: the redirect fallback cannot skip the host's rule", async () => {
  const page = await env.browser.newPage();
  await signInAlice(page, env);
  // The widget's redirect return lands on the headless page (the demo's callback page
  // forwards it there), which resumes it.
  await page.evaluate(() => {
    sessionStorage.setItem("demo:return-to", "/headless.html?resume&policy=no-google");
    window.open = () => null;
  });
  await page.locator('#account-link button.aal-link[data-connection="google-oauth2"]').click();
  await page.locator(".aal-continue-in-tab").click();
  await page.waitForURL(`${env.tenant.issuer}/authorize?**`);
  await page.locator('button[data-identity="google-oauth2|100000000000000000001"]').click();
  await page.waitForURL(`${env.tenant.app}/headless.html?**`);
  const r = await result(page);
  assert.equal(r.error, "cancelled", JSON.stringify(r));
  assert.ok(await page.locator("#confirm-seen").textContent(), "confirm was asked first");
  const log = await env.tenant.test("/test/mgmt-log");
  assert.equal(log.filter((e) => e.method === "POST").length, 0, "nothing was linked");
  await page.close();
});

test("a wrong option is config_invalid naming it, before any request", async () => {
  const page = await headlessPage();
  await page.locator('auth0-account-link .aal-status[data-status="ready"]').waitFor();
  const before = (await env.tenant.test("/test/mgmt-log")).length;
  await page.locator("#bad-mount").click();
  const r = await result(page);
  assert.equal(r.error, "config_invalid");
  assert.equal(r.actor, "developer");
  assert.match(r.message, /clientID/);
  assert.equal((await env.tenant.test("/test/mgmt-log")).length, before);
  await page.close();
});

test("headless params are own properties with known names only, refused before any request", async () => {
  const page = await headlessPage();
  await page.locator('auth0-account-link .aal-status[data-status="ready"]').waitFor();
  const before = (await env.tenant.test("/test/mgmt-log")).length;
  const outcomes = await page.evaluate(async () => {
    const widget = await import("/pkg/index.js");
    const config = await (await fetch("/config.json")).json();
    const options = { domain: config.domain, clientId: config.clientId, getAccessToken: () => "unused" };
    const code = (p) => p.then(() => "resolved", (e) => `${e.code}: ${e.message}`);
    return {
      misspelt: await code(widget.linkWithPopup(options, { conection: "github" })),
      wrongType: await code(widget.linkWithPopup(options, { connection: 7 })),
      // Inherited properties are not read: a polluted prototype cannot name the target.
      inherited: await code(widget.unlink(options, Object.create({ provider: "github", userId: "4242" }))),
      extra: await code(widget.unlink(options, { provider: "github", userId: "4242", force: true })),
      // The texts' options are checked too, and a wrong one is said in the locale given.
      message: await widget.listIdentities({ ...options, locale: "es", messages: { titel: "x" } }).then(() => "resolved", (e) => `${e.code}: ${e.message} | ${e.userMessage}`),
      store: await new Promise((resolve) => {
        const store = widget.createAccountLink({ ...options, loadMessages: "es" });
        const seen = () => {
          const s = store.getSnapshot();
          if (s.status !== "loading") resolve(`${s.status}: ${s.notice?.error?.message}`);
        };
        store.subscribe(seen);
        seen();
      }),
    };
  });
  assert.match(outcomes.misspelt, /^config_invalid: option `conection`/);
  assert.match(outcomes.wrongType, /^config_invalid: option `connection`/);
  assert.match(outcomes.inherited, /^config_invalid: option `provider\/userId`/);
  assert.match(outcomes.extra, /^config_invalid: option `force`/);
  assert.match(outcomes.message, /^config_invalid: option `messages\.titel`.* \| /);
  assert.equal(outcomes.message.split(" | ")[1], SPANISH["error.config_invalid"]);
  assert.match(outcomes.store, /^failed: option `loadMessages`: is not a function/);
  assert.equal((await env.tenant.test("/test/mgmt-log")).length, before, "no request was made");
  await page.close();
});

test("options are read from own properties only: a polluted Object.prototype supplies nothing", async () => {
  const page = await headlessPage();
  // The page's own element lists its identities first: count from after that.
  await page.locator('auth0-account-link .aal-status[data-status="ready"]').waitFor();
  const before = (await env.tenant.test("/test/mgmt-log")).length;
  const outcome = await page.evaluate(async () => {
    const widget = await import("/pkg/index.js");
    const config = await (await fetch("/config.json")).json();
    const heard = [];
    Object.prototype.getAccessToken = () => "from the prototype";
    Object.prototype.onError = () => heard.push("inherited onError");
    Object.prototype.beforeLink = () => true;
    try {
      const code = (p) => p.then(() => "resolved", (e) => `${e.code}: ${e.message}`);
      const listed = await code(widget.listIdentities({ domain: config.domain, clientId: config.clientId }));
      const host = document.createElement("div");
      let mounted;
      try {
        widget.mount(host, { domain: config.domain, clientId: config.clientId });
        mounted = "mounted";
      } catch (e) {
        mounted = `${e.code}: ${e.message}`;
      }
      return { listed, mounted, heard };
    } finally {
      delete Object.prototype.getAccessToken;
      delete Object.prototype.onError;
      delete Object.prototype.beforeLink;
    }
  });
  assert.match(outcome.listed, /^config_invalid: option `getAccessToken`/);
  assert.match(outcome.mounted, /^config_invalid: option `getAccessToken`/);
  assert.deepEqual(outcome.heard, [], "an inherited onError is never called");
  assert.equal((await env.tenant.test("/test/mgmt-log")).length, before, "nothing was sent");
  await page.close();
});

test("a login window the host opened and closed before the wasm loaded is popup_closed, not popup_blocked", async () => {
  const page = await env.browser.newPage();
  await signInAlice(page, env);
  await page.goto(`${env.tenant.app}/headless.html?lazy`);
  await page.locator("#status").filter({ hasText: "Ready." }).waitFor();
  // The host opens the window in a click (where every browser allows it), closes it, then
  // hands it over.
  await page.evaluate(async () => {
    const widget = await import("/pkg/index.js");
    const config = await (await fetch("/config.json")).json();
    const button = document.createElement("button");
    button.id = "host-opens";
    button.textContent = "Host opens a window";
    button.addEventListener("click", () => {
      const popup = window.open("about:blank", "host-opened", "popup=yes,width=300,height=300");
      popup.close();
      window.outcome = widget
        .linkWithPopup({ domain: config.domain, clientId: config.clientId, getAccessToken: () => "unused" }, { popup })
        .then(() => "resolved", (e) => e.code);
    });
    document.body.append(button);
  });
  await page.locator("#host-opens").click();
  const code = await page.evaluate(() => window.outcome);
  assert.equal(code, "popup_closed");
  await page.close();
});

test("the custom element renders the widget and links", async () => {
  const page = await headlessPage();
  const element = page.locator("auth0-account-link");
  await element.locator('.aal-status[data-status="ready"]').waitFor();
  assert.equal(await element.locator("button.aal-link").count(), 3, "google, github, another account");
  const popupPromise = page.waitForPopup();
  await element.locator('button.aal-link[data-connection="github"]').click();
  const popup = await popupPromise;
  await signInInWindow(popup, "github|4242");
  await element.locator(".aal-confirm .aal-confirm-link").click();
  await element.locator('.aal-identity[data-provider="github"]').waitFor();
  await page.locator("#element-events").filter({ hasText: "account-link:linked:2" }).waitFor();
  // The colon-free alias (for framework templates) and the options property's callback.
  await page.locator("#element-events").filter({ hasText: "account-link-linked:2" }).waitFor();
  assert.equal(await page.locator("#element-callback").textContent(), "onLinked:2");
  // Options given as a property reach the widget: its theme and a message override.
  assert.equal(await element.locator("section.aal").getAttribute("data-theme"), "dark");
  assert.equal(await element.locator(".aal-title").textContent(), "Sign-in methods");
  // A wrong attribute is reported as an event and keeps the running widget.
  await page.evaluate(() => document.getElementById("element").setAttribute("response-mode", "fragment"));
  await page.locator("#element-events").filter({ hasText: "account-link:error:config_invalid" }).waitFor();
  assert.equal(await element.locator(".aal-identity").count(), 2, "the widget stays");
  await page.close();
});

test("nothing is fetched at import; the first linkWithPopup loads the wasm and still opens its popup in the click", async () => {
  const page = await env.browser.newPage();
  await signInAlice(page, env);
  const seenBefore = (await env.tenant.requests()).length;
  const wasm = async () => (await env.tenant.requests()).slice(seenBefore).filter((r) => r.url.endsWith(".wasm"));
  await page.goto(`${env.tenant.app}/headless.html?lazy`);
  await page.locator("#status").filter({ hasText: "Ready." }).waitFor();
  assert.deepEqual(await wasm(), [], "importing the entry and the element loads no wasm");
  const popupPromise = page.waitForPopup();
  await page.locator("#link-google").click();
  const popup = await popupPromise;
  await popup.waitForURL(`${env.tenant.issuer}/authorize?**`);
  assert.equal((await wasm()).length, 1);
  await signInInWindow(popup, "google-oauth2|100000000000000000001");
  assert.deepEqual(await result(page), { linked: "auth0,google-oauth2" });
  await page.close();
});

test("in Node (server rendering) the entry and the element import without a DOM and fetch nothing", async () => {
  const fetched = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input) => {
    fetched.push(String(input));
    return realFetch(input);
  };
  try {
    const entry = await import(new URL("../../www/pkg/index.js", import.meta.url));
    const element = await import(new URL("../../www/pkg/element.js", import.meta.url));
    assert.equal(typeof entry.mount, "function");
    assert.equal(typeof entry.isAccountLinkError, "function");
    assert.equal(typeof element.AccountLinkElement, "function");
    assert.equal(globalThis.customElements, undefined);
    assert.deepEqual(fetched, []);
    const error = Object.assign(new Error("x"), { name: "AccountLinkError", code: "timeout" });
    assert.equal(entry.isAccountLinkError(error), true);
    assert.equal(entry.isAccountLinkError(new Error("x")), false);
    // Outside a browser it reads only what it is given.
    assert.equal(entry.isRedirectReturn("?code=c&state=aal*abc"), true);
    assert.equal(entry.isRedirectReturn("?code=c&state=aal**abc"), true);
    assert.equal(entry.isRedirectReturn("?code=c&state=host-state"), false);
    assert.equal(entry.isRedirectReturn(), false);
  } finally {
    globalThis.fetch = realFetch;
  }
});

test("a signal cancels a headless call: its window closes and nothing is linked; one aborted before the call opens no window and sends nothing", async () => {
  const page = await headlessPage();
  await page.evaluate(async () => {
    const widget = await import("/pkg/index.js");
    const { primaryClient } = await import("/primary-client.js");
    const { config, client } = await primaryClient();
    const options = { domain: config.domain, clientId: config.clientId, getAccessToken: () => client.getTokenSilently() };
    window.abortable = { widget, options, outcome: null };
    const button = document.createElement("button");
    button.id = "abortable";
    button.textContent = "linkWithPopup with a signal";
    button.onclick = () => {
      const controller = new AbortController();
      window.abortable.controller = controller;
      widget.linkWithPopup(options, { connection: "google-oauth2", signal: controller.signal }).then(
        () => (window.abortable.outcome = "linked"),
        (e) => (window.abortable.outcome = e.code),
      );
    };
    document.body.append(button);
  });
  const popupPromise = page.waitForPopup();
  await page.locator("#abortable").click();
  const popup = await popupPromise;
  await popup.waitForURL(`${env.tenant.issuer}/authorize?**`);
  // An unmounting component aborts: the call ends, its window with it.
  await page.evaluate(() => window.abortable.controller.abort());
  await page.waitForFunction(() => window.abortable.outcome !== null);
  assert.equal(await page.evaluate(() => window.abortable.outcome), "cancelled");
  for (let i = 0; i < 50 && !(await popup.isClosed()); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(await popup.isClosed(), "the login window closed with the call");
  await assertNothingLinked();

  // Aborted before the call: rejected at once, no window, no request to the tenant.
  const before = (await env.tenant.requests()).length;
  const outcomes = await page.evaluate(async () => {
    const { widget, options } = window.abortable;
    const signal = AbortSignal.abort();
    const code = (p) => p.then(() => "resolved", (e) => e.code);
    return [
      await code(widget.linkWithPopup(options, { connection: "google-oauth2", signal })),
      await code(widget.unlink(options, { provider: "github", userId: "4242", signal })),
      await code(widget.listIdentities(options, { signal })),
    ];
  });
  assert.deepEqual(outcomes, ["cancelled", "cancelled", "cancelled"]);
  const sent = (await env.tenant.requests()).slice(before).filter((r) => r.server === "tenant");
  assert.deepEqual(sent.map((r) => r.url), []);
  // A list aborted while it runs ends cancelled; its answer is dropped.
  const listed = await page.evaluate(async () => {
    const { widget, options } = window.abortable;
    const controller = new AbortController();
    const listing = widget.listIdentities(options, { signal: controller.signal });
    controller.abort();
    return listing.then(() => "resolved", (e) => e.code);
  });
  assert.equal(listed, "cancelled");
  await page.close();
});

test("with the wasm loaded, linkWithPopup and unlink open their window before they return (inside the click that called them)", async () => {
  const page = await headlessPage();
  const calls = await page.evaluate(async () => {
    const widget = await import("/pkg/index.js");
    await widget.default();
    const { primaryClient } = await import("/primary-client.js");
    const { config, client } = await primaryClient();
    const options = { domain: config.domain, clientId: config.clientId, getAccessToken: () => client.getTokenSilently() };
    // Counted at the call: a browser may refuse a window outside a click, but the call
    // itself must come before the function returns (nothing awaited first).
    const real = window.open;
    const opened = [];
    window.open = function (...args) {
      const w = real.apply(this, args);
      opened.push(w);
      return w;
    };
    const counts = [];
    const linking = widget.linkWithPopup(options, { connection: "google-oauth2" });
    counts.push(opened.length);
    const unlinking = widget.unlink(options, { provider: "github", userId: "4242" });
    counts.push(opened.length);
    window.open = real;
    for (const w of opened) w?.close();
    await Promise.allSettled([linking, unlinking]);
    return counts;
  });
  assert.deepEqual(calls, [1, 2]);
  await assertNothingLinked();
  await page.close();
});
