// End to end: nothing is lost by linking. The dev tenant's Google account holds saved
// settings (`user_metadata: {theme, newsletter, locale}`) and app data; a link discards
// them, as Auth0's does. With `carryUserMetadata: "primary-wins"` (the demo's
// `?metadata=merge`) the widget writes the settings Alice lacks to her user first, once,
// and the Management API reads them back after the link.

import { test } from "node:test";
import assert from "node:assert/strict";
import { useTenantAndBrowser, signInAlice, signInInWindow } from "./support.mjs";

const GOOGLE = "google-oauth2|100000000000000000001";

const env = useTenantAndBrowser();

async function signedIn(query) {
  const page = await env.browser.newPage();
  await signInAlice(page, env);
  await page.goto(`${env.tenant.app}/${query}`);
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  return page;
}

/** Alice's user as the Management API returns it, with the demo's own token. */
async function alice(page) {
  return page.evaluate(async (issuer) => {
    const token = await window.demo.options.getAccessToken();
    const r = await fetch(`${issuer}/api/v2/users/${encodeURIComponent("auth0|alice")}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    return r.json();
  }, env.tenant.issuer);
}

async function mgmt(method, suffix) {
  const log = await env.tenant.test("/test/mgmt-log");
  return log.filter((e) => e.method === method && e.path.endsWith(suffix));
}

async function linkGoogle(page) {
  const popupPromise = page.waitForPopup();
  await page.locator('button.aal-link[data-connection="google-oauth2"]').click();
  await signInInWindow(await popupPromise, GOOGLE);
  const dialog = page.locator(".aal-confirm");
  await dialog.waitFor();
  return dialog;
}

test("with carry-over the confirm screen says the settings come along, and Alice ends with them, written once", async () => {
  const page = await signedIn("?metadata=merge");
  const before = await alice(page);
  assert.deepEqual(before.user_metadata, { locale: "en" });
  const dialog = await linkGoogle(page);
  const carried = await dialog.locator(".aal-carry-settings").textContent();
  for (const name of ["locale", "newsletter", "theme"]) assert.ok(carried.includes(name), carried);
  assert.equal(await dialog.locator(".aal-discard-settings").count(), 0, "not named as lost");
  assert.ok(await dialog.locator(".aal-discard-app-data").count(), "app data still stays behind");
  await dialog.locator(".aal-confirm-link").click();
  await page.locator('.aal-identity[data-provider="google-oauth2"]').waitFor();
  // Read back through the Management API: Google's settings Alice lacked, her own locale kept.
  const after = await alice(page);
  assert.deepEqual(after.user_metadata, { locale: "en", theme: "dark", newsletter: true });
  assert.deepEqual((await mgmt("PATCH", "/users/auth0%7Calice")).map((e) => e.status), [200], "written once");
  // The host heard what was carried, and the former user's id.
  await page.locator("#events li").filter({ hasText: `secondary=${GOOGLE} carried=newsletter,theme` }).first().waitFor();
  await page.locator("#settings").filter({ hasText: 'theme="dark"' }).waitFor();
  await page.close();
});

test("the host's function decides what comes along: only the theme", async () => {
  const page = await signedIn("?metadata=host");
  const dialog = await linkGoogle(page);
  await dialog.locator(".aal-carry-settings").waitFor();
  await dialog.locator(".aal-confirm-link").click();
  await page.locator('.aal-identity[data-provider="google-oauth2"]').waitFor();
  await page.locator("#events li").filter({ hasText: "carryUserMetadata primary=locale secondary=locale,newsletter,theme" }).first().waitFor();
  assert.deepEqual((await alice(page)).user_metadata, { locale: "en", theme: "dark" });
  assert.deepEqual((await mgmt("PATCH", "/users/auth0%7Calice")).map((e) => e.status), [200]);
  await page.close();
});

test("without carry-over the settings are named as lost, and the link discards them", async () => {
  const page = await signedIn("");
  const dialog = await linkGoogle(page);
  assert.ok(await dialog.locator(".aal-discard-settings").count());
  assert.equal(await dialog.locator(".aal-carry-settings").count(), 0);
  await dialog.locator(".aal-confirm-link").click();
  await page.locator('.aal-identity[data-provider="google-oauth2"]').waitFor();
  assert.deepEqual((await alice(page)).user_metadata, { locale: "en" });
  assert.equal((await mgmt("PATCH", "/users/auth0%7Calice")).length, 0);
  await page.locator("#events li").filter({ hasText: `secondary=${GOOGLE}` }).first().waitFor();
  await page.close();
});
