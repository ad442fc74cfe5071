// End to end: the Trunk-built Yew demo (a Rust app using the AccountLink component through
// the crate's public API, its primary user signed in with unmodified auth0-spa-js bound
// through wasm-bindgen) against the dev tenant, under the demo's strict CSP.

import { test } from "node:test";
import assert from "node:assert/strict";
import { useTenantAndBrowser, declineThenReloadAsAlice, signInInWindow } from "./support.mjs";

const GITHUB = "github|4242";

const env = useTenantAndBrowser();

test("the Yew demo signs in, links GitHub via the popup with the confirm step, and unlinks it", async () => {
  const page = await env.browser.newPage();

  await page.goto(`${env.tenant.app}/yew/`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${env.tenant.issuer}/authorize?**`);
  await page.locator('button[data-identity="auth0|alice"]').click();
  await page.waitForURL(`${env.tenant.app}/yew/**`);
  await page.locator("#user").filter({ hasText: "Signed in as" }).waitFor();
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  assert.equal(await page.locator(".aal-identity").count(), 1);
  assert.ok(!(await page.url()).includes("code="), "the sign-in response left the URL");

  const popupPromise = page.waitForPopup();
  await page.locator('button.aal-link[data-connection="github"]').click();
  const popup = await popupPromise;
  // The window may first show the primary's sign-in again: the account's own login page
  // is the one that names the connection.
  const { url } = await signInInWindow(popup, GITHUB);
  assert.equal(url.searchParams.get("connection"), "github");

  const dialog = page.locator(".aal-confirm");
  await dialog.waitFor();
  assert.equal(await dialog.locator(".aal-confirm-provider").textContent(), "GitHub");
  await dialog.locator(".aal-confirm-link").click();
  await page.locator('.aal-identity[data-provider="github"]').waitFor();
  await page.locator("#events li").filter({ hasText: "linked: 2 identities" }).waitFor();
  const log = await env.tenant.test("/test/mgmt-log");
  const posts = log.filter((e) => e.method === "POST" && e.path.endsWith("/identities"));
  assert.equal(posts.length, 1);

  await page.locator('.aal-status[data-status="ready"]').waitFor();
  await page.locator('.aal-identity[data-provider="github"] .aal-unlink').click();
  await page.locator(".aal-confirm-unlink").click();
  await page.locator('.aal-identity[data-provider="github"]').waitFor({ state: "detached" });
  await page.locator("#events li").filter({ hasText: "unlinked: 1 identities" }).waitFor();
  assert.deepEqual(await page.pageErrors(), []);
  // CSP and Trusted Types violations reach the console (not visible over classic
  // WebDriver: WebKit's run checks the page's errors only).
  if (env.browser.can.console) {
    assert.deepEqual(page.consoleErrors.filter((m) => /Content[- ]Security[- ]Policy|Trusted Type|TrustedHTML|TrustedScript/i.test(m)), []);
  }
  await page.close();
});

test("the Yew demo's host keeps its user after a declined link and a reload (refresh tokens kept across loads)", async () => {
  const page = await env.browser.newPage();
  await page.goto(`${env.tenant.app}/yew/`);
  // The host keeps its tokens across loads: start from none, whatever the test before left.
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${env.tenant.issuer}/authorize?**`);
  await page.locator('button[data-identity="auth0|alice"]').click();
  await page.waitForURL(`${env.tenant.app}/yew/**`);
  await page.locator("#user").filter({ hasText: "alice@example.com" }).waitFor();
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  const popupPromise = page.waitForPopup();
  await page.locator('button.aal-link[data-connection="github"]').click();
  const popup = await popupPromise;
  await popup.waitForURL(`${env.tenant.issuer}/authorize?**`);
  await signInInWindow(popup, GITHUB);
  await declineThenReloadAsAlice(page);
  await page.close();
});
