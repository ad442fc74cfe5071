// The React + Vite example, installed from the packed tarball (scripts/build-examples):
// built with `vite build` and served by the dev tenant under its strict CSP, and run under
// `vite dev` — what developers use every day. Its user signs in with auth0-spa-js from npm
// and links through the React wrapper around mount() and through the custom element.

import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { useTenantAndBrowser, signInAlice, viteServer, signInOnTheExample, linkThrough, ROOT, signInInWindow } from "./support.mjs";
import GERMAN from "../../js/locales/de.js";

const EXAMPLE = path.join(ROOT, "examples/react-vite");
const env = useTenantAndBrowser();


test("vite build: the React wrapper and the custom element link from the packed package", async () => {
  const page = await env.browser.newPage();
  await signInAlice(page, env);
  await page.goto(`${env.tenant.app}/react/`);
  await page.locator("h1").filter({ hasText: "Signed in as Alice" }).waitFor();
  await page.locator('#wrapper .aal-status[data-status="ready"]').waitFor();
  await page.locator('#element .aal-status[data-status="ready"]').waitFor();
  assert.equal(await page.locator("#element h3.aal-title").count(), 1, "heading-level attribute");

  // A parent re-render hands new options to the same widget (no remount, no new list).
  await page.evaluate(() => (window.__wrapperSection = document.querySelector("#wrapper section.aal")));
  const listsBefore = (await env.tenant.requests()).length;
  await page.locator("#rerender").click();
  await page.locator("#rerender").filter({ hasText: "(1)" }).waitFor();
  assert.equal(await page.evaluate(() => window.__wrapperSection.isConnected), true, "the same widget");
  const lists = (await env.tenant.requests()).slice(listsBefore).filter((r) => r.method === "GET" && r.url.includes("/api/v2/users/"));
  assert.deepEqual(lists, []);

  // A parent re-render while the login popup is open: the popup survives and links.
  const popupPromise = page.waitForPopup();
  await page.locator('#wrapper button.aal-link[data-connection="google-oauth2"]').click();
  const popup = await popupPromise;
  await page.locator("#rerender").click();
  await page.locator("#rerender").filter({ hasText: "(2)" }).waitFor();
  assert.equal(await popup.isClosed(), false, "the popup survived the re-render");
  await signInInWindow(popup, "google-oauth2|100000000000000000001");
  await page.locator("#wrapper .aal-confirm .aal-confirm-link").click();
  await page.locator('#wrapper .aal-identity[data-provider="google-oauth2"]').waitFor();
  await page.locator("#events li").filter({ hasText: "wrapper linked 2" }).waitFor();
  // The element, bound with React 19's custom-element event prop on the colon-free name.
  await linkThrough(page, "#element", "github", "github|4242");
  await page.locator("#events li").filter({ hasText: "element linked 3" }).waitFor();
  assert.deepEqual(await page.pageErrors(), []);
  if (env.browser.can.console) assert.deepEqual(page.consoleErrors, []);
  await page.close();
});


test("vite build: an own UI on the store (React hook, StrictMode) links with its question, shows progress and errors in German, unlinks, and unmounting ends a link", async () => {
  const page = await env.browser.newPage();
  await signInAlice(page, env);
  const before = (await env.tenant.requests()).length;
  await page.goto(`${env.tenant.app}/react/?own&locale=de`);
  await page.locator('#own-status[data-status="ready"]').waitFor();
  // The texts are the package's German catalog's: the progress, the provider's label.
  assert.equal(await page.locator("#own-status").textContent(), GERMAN["status.ready"]);
  assert.equal(await page.locator('#own-identities li[data-primary="true"]').count(), 1);
  assert.match(await page.locator('#own-identities li[data-primary="true"]').textContent(), new RegExp(`^${GERMAN["provider.auth0"]} · alice@example\\.com`));
  assert.equal((await page.locator('.own-link[data-connection="google-oauth2"]').textContent()).trim(), "+ Google");
  // StrictMode mounts, unmounts and mounts again: the identities are read once.
  const reads = (await env.tenant.requests())
    .slice(before)
    .filter((r) => r.server === "tenant" && r.method === "GET" && r.url.includes("/api/v2/users/"));
  assert.equal(reads.length, 1, JSON.stringify(reads.map((r) => r.url)));

  // A link: the window, the question this UI asks, the progress it shows.
  let popupPromise = page.waitForPopup();
  await page.locator('.own-link[data-connection="google-oauth2"]').click();
  await signInInWindow(await popupPromise, "google-oauth2|100000000000000000001");
  await page.locator("#own-question").waitFor();
  await page.locator("#own-yes").click();
  await page.locator('#own-identities li[data-provider="google-oauth2"]').waitFor();
  const seen = await page.locator("#own-seen li").evaluateAll((items) => items.map((li) => li.textContent));
  for (const status of ["ready", "awaiting_login", "confirming", "linking"]) assert.ok(seen.includes(status), seen.join(","));

  // An error, in the user's words and language: the login window closed.
  await page.locator('#own-status[data-status="ready"]').waitFor();
  popupPromise = page.waitForPopup();
  await page.locator('.own-link[data-connection="google-oauth2"]').click();
  const closed = await popupPromise;
  await closed.waitForURL(`${env.tenant.issuer}/authorize?**`);
  await closed.close();
  await page.locator('#own-notice[data-code="popup_closed"]').waitFor();
  assert.equal(await page.locator("#own-notice").textContent(), GERMAN["error.popup_closed"]);

  // Unlink Google from the list (the recent session's proof: no window).
  await page.locator('#own-status[data-status="ready"]').waitFor();
  await page.locator('#own-identities li[data-provider="google-oauth2"] .own-unlink').click();
  await page.locator('#own-identities li[data-provider="google-oauth2"]').waitFor({ state: "detached" });

  // Unmounting during a link: the store is destroyed, its window closes, nothing is linked.
  const links = async () => (await env.tenant.test("/test/mgmt-log")).filter((e) => e.method === "POST").length;
  const linkedSoFar = await links();
  popupPromise = page.waitForPopup();
  await page.locator('.own-link[data-connection="google-oauth2"]').click();
  const leaving = await popupPromise;
  await page.locator("#own-toggle").click();
  for (let i = 0; i < 50 && !(await leaving.isClosed()); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(await leaving.isClosed(), "the window closed with the component");
  assert.equal(await links(), linkedSoFar);
  assert.deepEqual(await page.pageErrors(), []);
  await page.close();
});


test("vite dev: with the one documented line the wasm loads and the widget links", async () => {
  // The example's vite.config.js (optimizeDeps.exclude), as a developer runs it.
  const dev = await viteServer(EXAMPLE);
  try {
    const page = await env.browser.newPage();
    await signInOnTheExample(page, dev.origin);
    await page.locator('#wrapper .aal-status[data-status="ready"]').waitFor({ timeout: 30000 });
    // The wasm the page loaded (Vite's server, not the tenant, served it): asked for again,
    // it comes as application/wasm, which streaming compilation needs.
    const wasm = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name).filter((n) => n.endsWith(".wasm")));
    assert.equal(wasm.length, 1, String(wasm));
    const served = await fetch(wasm[0]);
    assert.deepEqual([served.status, served.headers.get("content-type")], [200, "application/wasm"]);
    await linkThrough(page, "#wrapper", "github", "github|4242");
    await page.locator("#events li").filter({ hasText: "wrapper linked 2" }).waitFor();
    await page.close();
  } finally {
    await dev.stop();
  }
});

test("vite dev without that line: the widget says which URL failed and how to fix it", async () => {
  // No config file: Vite pre-bundles the package away from its .wasm.
  const dev = await viteServer(EXAMPLE, { configFile: false, esbuild: { jsx: "automatic" } });
  try {
    const page = await env.browser.newPage();
    await signInOnTheExample(page, dev.origin);
    const error = page.locator("#events li").filter({ hasText: "wrapper error config_invalid" });
    await error.waitFor({ timeout: 30000 });
    const text = await error.textContent();
    assert.match(text, /could not load its WebAssembly from http:\/\/127\.0\.0\.1:\d+\/node_modules\/\.vite[^ ]*auth0_account_link_bg\.wasm/);
    assert.match(text, /optimizeDeps: \{ exclude: \["auth0-account-link"\] \}/);
    // The widget's own area says so too (not left blank), in words for the user.
    const notice = page.locator('#wrapper .aal-load-failed .aal-notice[data-code="config_invalid"]');
    await notice.waitFor();
    assert.equal(await notice.textContent(), "Account linking is not set up correctly on this page.");
    await page.close();
  } finally {
    await dev.stop();
  }
});

test("a plain page with the unpacked tarball links through the custom element", async () => {
  const page = await env.browser.newPage();
  await signInAlice(page, env);
  await page.goto(`${env.tenant.app}/plain/`);
  await page.locator("#status").filter({ hasText: "Signed in." }).waitFor();
  await page.locator('auth0-account-link .aal-status[data-status="ready"]').waitFor();
  await linkThrough(page, "auth0-account-link", "github", "github|4242");
  await page.locator("#events li").filter({ hasText: "account-link:linked 2" }).waitFor();
  assert.deepEqual(await page.pageErrors(), []);
  await page.close();
});
