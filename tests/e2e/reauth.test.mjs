// End to end: the signed-in user proves it is them before a login is added, in each browser
// under test. The dev tenant answers `max_age` as Auth0 does (a recent session at once,
// an older one with its login page, "Confirm it's you" naming the hinted user), and can
// run the post-login rule a tenant adds to enforce it (`/test/require-recent-auth`).

import { test } from "node:test";
import assert from "node:assert/strict";
import { useTenantAndBrowser, signInAlice, signInInWindow } from "./support.mjs";

const GOOGLE = "google-oauth2|100000000000000000001";
const CONFIRM_PAGE = 'h1[data-reauthenticate="true"]';

const env = useTenantAndBrowser();

async function signedIn(query = "") {
  const page = await env.browser.newPage();
  await signInAlice(page, env);
  if (query) {
    await page.goto(`${env.tenant.app}/${query}`);
    await page.locator('.aal-status[data-status="ready"]').waitFor();
  }
  return page;
}

/** Alice signed in this long ago (her tenant session and her refresh token). */
async function signedInAgo(seconds) {
  await env.tenant.test("/test/session-age", { seconds });
}

/**
 * Alice signed in `seconds` ago, and the widget's page loaded since: a page that was open
 * while her session was recent holds the proof of its sign-in ahead of the click for as
 * long as it stays recent (its `auth_time`), as a real session would.
 */
async function reloadedAfter(page, seconds) {
  await signedInAgo(seconds);
  await page.reload();
  await page.locator('.aal-status[data-status="ready"]').waitFor();
}

/** The tenant's `/authorize` requests of the primary's sign-in again in the login window. */
async function windowAsks() {
  const seen = await env.tenant.test("/test/requests");
  return seen.filter((r) => {
    if (r.server !== "tenant" || !r.url.includes("/authorize?")) return false;
    const q = new URL(r.url).searchParams;
    return q.get("max_age") === "600" && q.get("prompt") !== "none";
  });
}

/** The tenant's `/authorize` requests with `prompt=none` (the sign-in ahead of the click). */
async function silentAsks() {
  const seen = await env.tenant.test("/test/requests");
  return seen.filter((r) => r.server === "tenant" && r.url.includes("/authorize?") && new URL(r.url).searchParams.get("prompt") === "none");
}

async function linkPosts() {
  const log = await env.tenant.test("/test/mgmt-log");
  return log.filter((e) => e.method === "POST" && e.path.endsWith("/identities"));
}

async function openLoginWindow(page, connection) {
  const popupPromise = page.waitForPopup();
  await page.locator(`button.aal-link[data-connection="${connection}"]`).click();
  return popupPromise;
}

test("a session older than ten minutes: the window asks Alice to sign in again, then Google, then it links", async () => {
  const page = await signedIn();
  await reloadedAfter(page, 3600);
  const popup = await openLoginWindow(page, "google-oauth2");
  await popup.locator(CONFIRM_PAGE).waitFor();
  // The window names whom it asks for; the widget says why.
  assert.match(await popup.locator("body").textContent(), /Confirm it's you[\s\S]*alice@example\.com/);
  const status = page.locator('.aal-status[data-status="reauthenticating"]');
  await status.waitFor();
  assert.equal(
    await status.textContent(),
    "Confirm it's you, alice@example.com: sign in again in the window, then with the account to link.",
  );
  const { asked } = await signInInWindow(popup, GOOGLE);
  assert.equal(asked, true);
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator('.aal-identity[data-provider="google-oauth2"]').waitFor();
  assert.equal((await linkPosts()).length, 1);
  // Signed in again just now: the next link asks nothing more.
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  const next = await openLoginWindow(page, "github");
  const again = await signInInWindow(next, "github|4242");
  assert.equal(again.asked, false);
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator('.aal-identity[data-provider="github"]').waitFor();
  await page.close();
});

test("a recent session: the hidden frame proves it, the window goes straight to Google, and that sign-in's token links under the tenant's rule", async () => {
  await env.tenant.test("/test/require-recent-auth", { max_age_seconds: 300 });
  const page = await signedIn();
  const popup = await openLoginWindow(page, "google-oauth2");
  const { asked } = await signInInWindow(popup, GOOGLE);
  assert.equal(asked, false, "no 'Confirm it's you' page");
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator('.aal-identity[data-provider="google-oauth2"]').waitFor();
  assert.deepEqual((await linkPosts()).map((e) => e.status), [201]);
  const asks = await silentAsks();
  assert.ok(asks.length >= 1, "the page asked ahead in a hidden frame");
  assert.equal(new URL(asks[0].url).searchParams.get("max_age"), "600");
  assert.equal(asks[0].status, 200);
  // The frame's proof was used: the window asked the tenant for the account alone.
  assert.equal((await windowAsks()).length, 0, "no sign-in again in the window");
  await page.close();
});

test("a page whose CSP keeps frames out: the widget notices at once and the window signs Alice in again", async () => {
  const page = await signedIn();
  const before = (await silentAsks()).length;
  await page.goto(`${env.tenant.app}/?frames=none`);
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  // The refused frame goes well before its 5 s time-out.
  await page.waitForFunction(() => !document.querySelector("iframe[aria-hidden='true']"), null, { timeout: 4000 });
  assert.equal((await silentAsks()).length, before, "the browser never sent the frame's request");
  const popup = await openLoginWindow(page, "google-oauth2");
  const { url, asked } = await signInInWindow(popup, GOOGLE);
  // A recent session: the window's sign-in again answered at once, then the account.
  assert.equal(asked, false);
  assert.equal(url.searchParams.get("connection"), "google-oauth2");
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator('.aal-identity[data-provider="google-oauth2"]').waitFor();
  assert.equal((await windowAsks()).length, 1, "the window's sign-in again");
  await page.close();
});

test("another account at 'Confirm it's you' links nothing (user_mismatch)", async () => {
  const page = await signedIn();
  await reloadedAfter(page, 3600);
  const popup = await openLoginWindow(page, "google-oauth2");
  await signInInWindow(popup, GOOGLE, { again: "auth0|bob" });
  await page.locator('.aal-notice[data-code="user_mismatch"]').waitFor();
  assert.equal((await linkPosts()).length, 0);
  assert.equal(await page.locator(".aal-identity").count(), 1, "the list is intact");
  await page.close();
});

test("closing the window at 'Confirm it's you' ends with reauthentication_failed, nothing linked", async () => {
  const page = await signedIn();
  await reloadedAfter(page, 3600);
  const popup = await openLoginWindow(page, "google-oauth2");
  await popup.locator(CONFIRM_PAGE).waitFor();
  await popup.close();
  await page.locator('.aal-notice[data-code="reauthentication_failed"]').waitFor();
  assert.equal((await linkPosts()).length, 0);
  // The widget stays usable: the user tries again.
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  await page.close();
});

test("the tenant's rule refuses a stale token even with the widget's check off; the sign-in again's token links", async () => {
  await env.tenant.test("/test/require-recent-auth", { max_age_seconds: 300 });
  const page = await signedIn();
  await signedInAgo(3600);
  // The host renews its token from its (hour-old) refresh token: the tenant's rule withholds
  // update:current_user_identities.
  await page.locator("#refresh").click();
  await page.locator("#events li").filter({ hasText: "fresh token" }).first().waitFor();
  await page.goto(`${env.tenant.app}/?reauth=off`);
  // The widget's own check is off; the token cannot link, and the tenant says so itself.
  await page.locator('.aal-notice[data-code="insufficient_scope"]').waitFor();
  const refused = await page.evaluate(async (issuer) => {
    const token = await window.demo.options.getAccessToken();
    const r = await fetch(`${issuer}/api/v2/users/${encodeURIComponent("auth0|alice")}/identities`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ link_with: "x" }),
    });
    return { status: r.status, body: await r.json() };
  }, env.tenant.issuer);
  assert.equal(refused.status, 403);
  assert.equal(refused.body.errorCode, "insufficient_scope");
  assert.equal((await linkPosts()).filter((e) => e.status === 201).length, 0);

  // With the check on (the default), the same page asks Alice to sign in again, and that
  // sign-in's own token links.
  await page.goto(`${env.tenant.app}/`);
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  const popup = await openLoginWindow(page, "google-oauth2");
  const { asked } = await signInInWindow(popup, GOOGLE);
  assert.equal(asked, true);
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator('.aal-identity[data-provider="google-oauth2"]').waitFor();
  const created = (await linkPosts()).filter((e) => e.status === 201);
  assert.equal(created.length, 1);
  await page.close();
});

test("unlink asks the same: an older session signs Alice in again before the login is removed", async () => {
  const page = await signedIn();
  const linkWindow = await openLoginWindow(page, "google-oauth2");
  await signInInWindow(linkWindow, GOOGLE);
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator('.aal-identity[data-provider="google-oauth2"]').waitFor();
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  await reloadedAfter(page, 3600);
  await page.locator('.aal-identity[data-provider="google-oauth2"] .aal-unlink').click();
  const popupPromise = page.waitForPopup();
  await page.locator(".aal-confirm-unlink").click();
  const popup = await popupPromise;
  await popup.locator(CONFIRM_PAGE).waitFor();
  await page.locator('.aal-status[data-status="reauthenticating"]').waitFor();
  const deletes = async () => (await env.tenant.test("/test/mgmt-log")).filter((e) => e.method === "DELETE");
  assert.equal((await deletes()).length, 0, "nothing is removed before Alice signs in again");
  await popup.locator('button[data-hinted="true"]').click();
  await page.locator('.aal-identity[data-provider="google-oauth2"]').waitFor({ state: "detached" });
  assert.deepEqual((await deletes()).map((e) => e.status), [200]);
  await page.locator('.aal-notice:not(.aal-error)').waitFor();
  await page.close();
});

test("the headless unlink opens its sign-in again in the click", async () => {
  const page = await env.browser.newPage();
  await signInAlice(page, env);
  await page.goto(`${env.tenant.app}/headless.html`);
  await page.locator("#status").filter({ hasText: "Ready." }).waitFor();
  const linkWindow = page.waitForPopup();
  await page.locator("#link-google").click();
  await signInInWindow(await linkWindow, GOOGLE);
  await page.locator("#result").filter({ hasText: "linked" }).waitFor();
  await signedInAgo(3600);
  const popupPromise = page.waitForPopup();
  await page.locator("#unlink-google").click();
  const popup = await popupPromise;
  await popup.locator(CONFIRM_PAGE).waitFor();
  await popup.locator('button[data-hinted="true"]').click();
  await page.locator("#result").filter({ hasText: "remaining" }).waitFor();
  assert.deepEqual(JSON.parse(await page.locator("#result").textContent()), { remaining: "auth0" });
  await page.close();
});
