// End to end: an app that draws its own UI on `auth0-account-link/headless`, in each
// browser under test. Its page loads the headless wasm (no Yew) and never the widget's;
// the same link (with the sign-in again asked ahead) and unlink work through it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { useTenantAndBrowser, signInAlice, signInInWindow } from "./support.mjs";
import FRENCH from "../../js/locales/fr.js";

const GOOGLE = "google-oauth2|100000000000000000001";

const env = useTenantAndBrowser();

async function result(page, previous = "") {
  await page.waitForFunction((p) => document.getElementById("result").textContent !== p, previous);
  return JSON.parse(await page.locator("#result").textContent());
}

test("the own-UI page links and unlinks through the headless entry, loading only the headless wasm", async () => {
  const page = await env.browser.newPage();
  await signInAlice(page, env);
  await page.goto(`${env.tenant.app}/own-ui.html`);
  await page.locator("#status").filter({ hasText: "Ready." }).waitFor();
  assert.equal(await page.locator("#identities li").count(), 1);

  const popupPromise = page.waitForPopup();
  await page.locator("#link-google").click();
  await signInInWindow(await popupPromise, GOOGLE);
  assert.deepEqual(await result(page), { linked: 2 });
  await page.locator('#identities li[data-provider="google-oauth2"]').waitFor();
  // The link's answer keeps the primary marked and its profile (not its bare user id).
  const primary = page.locator('#identities li[data-primary="true"]');
  assert.equal(await primary.count(), 1);
  // Each identity's provider label is the widget's ("Email and password", not "auth0").
  assert.match(await primary.textContent(), /^Email and password · alice@example\.com \(primary\)$/);
  assert.equal(await page.locator('#identities li[data-provider="google-oauth2"][data-primary="false"]').count(), 1);

  // A recent session: the window the call opens answers its sign-in again at once and
  // closes (too quickly for every driver to see it).
  await page.locator("#unlink-google").click();
  assert.deepEqual(await result(page, JSON.stringify({ linked: 2 })), { remaining: 1 });

  // The sign-in went through the demo page, which shows the widget; from this page on, only
  // the headless wasm was fetched.
  const seen = await env.tenant.test("/test/requests");
  const at = seen.findIndex((r) => r.server === "app" && r.url.includes("/own-ui.html"));
  const wasm = seen.slice(at).filter((r) => r.server === "app" && r.url.endsWith(".wasm")).map((r) => new URL(r.url).pathname);
  assert.deepEqual([...new Set(wasm)], ["/pkg/auth0_account_link_headless_bg.wasm"]);
  await page.close();
});

test("the headless calls speak the options' locale: labels and each error's userMessage from the package's catalog", async () => {
  const page = await env.browser.newPage();
  await signInAlice(page, env);
  await page.goto(`${env.tenant.app}/own-ui.html?locale=fr`);
  await page.locator("#status").filter({ hasText: "Ready." }).waitFor();
  assert.match(await page.locator('#identities li[data-primary="true"]').textContent(), new RegExp(`^${FRENCH["provider.auth0"]} · `));

  // The login window closed before the login: the rejection's userMessage is French.
  const popupPromise = page.waitForPopup();
  await page.locator("#link-google").click();
  const popup = await popupPromise;
  await popup.waitForURL(`${env.tenant.issuer}/authorize?**`);
  await popup.close();
  const failed = await result(page);
  assert.equal(failed.error, "popup_closed");
  assert.equal(failed.userMessage, FRENCH["error.popup_closed"]);
  await page.close();
});
