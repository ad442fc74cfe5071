// End to end: an own UI on the store (`createAccountLink` from `auth0-account-link/headless`)
// in each browser under test. Everything the page shows comes from the snapshot: the
// identities with the primary marked, the progress, the question it answers, the notice;
// destroying the store during a link closes its window and links nothing.

import { test } from "node:test";
import assert from "node:assert/strict";
import { useTenantAndBrowser, signInAlice, signInInWindow } from "./support.mjs";
import JAPANESE from "../../js/locales/ja.js";

const GOOGLE = "google-oauth2|100000000000000000001";

const env = useTenantAndBrowser();

async function storePage(query = "") {
  const page = await env.browser.newPage();
  await signInAlice(page, env);
  await page.goto(`${env.tenant.app}/store.html${query}`);
  await page.locator('#status[data-status="ready"]').waitFor();
  return page;
}

async function linkPosts() {
  const log = await env.tenant.test("/test/mgmt-log");
  return log.filter((e) => e.method === "POST" && e.path.endsWith("/identities"));
}

test("the store's snapshot drives a link with its question, then an unlink", async () => {
  const page = await storePage();
  assert.equal(await page.locator("#identities li").count(), 1);
  assert.ok((await page.locator("#identities li").first().textContent()).includes("(primary)"));
  // The snapshot is one object until something changes.
  assert.ok(await page.evaluate(() => window.store.getSnapshot() === window.store.getSnapshot()));

  const popupPromise = page.waitForPopup();
  await page.locator("#link-google").click();
  await signInInWindow(await popupPromise, GOOGLE);
  await page.locator("#question").waitFor();
  assert.match(await page.locator("#question-text").textContent(), /Link alice\.example@gmail\.test\?/);
  assert.equal((await linkPosts()).length, 0, "nothing is linked before the answer");
  await page.locator("#yes").click();
  await page.locator('#identities li[data-provider="google-oauth2"]').waitFor();
  assert.deepEqual((await linkPosts()).map((e) => e.status), [201]);
  const statuses = await page.locator("#statuses li").evaluateAll((items) => items.map((li) => li.textContent));
  // The progress the page could show; after the link the session is ready for the next,
  // and the notice says what happened.
  for (const seen of ["ready", "awaiting_login", "verifying", "confirming", "linking"]) assert.ok(statuses.includes(seen), statuses.join(","));
  assert.equal(await page.locator("#notice").getAttribute("data-kind"), "linked");
  assert.equal(await page.locator("#notice").textContent(), "The account was linked.");
  const last = await page.evaluate(() => window.store.getSnapshot().last);
  assert.deepEqual(last, { kind: "linked", secondaryUserId: GOOGLE });

  // Unlink from the list (a recent session: the sign-in again needs no window).
  await page.locator('#status[data-status="ready"]').waitFor();
  await page.locator('#identities li[data-provider="google-oauth2"] .unlink').click();
  await page.locator('#identities li[data-provider="google-oauth2"]').waitFor({ state: "detached" });
  assert.equal(await page.locator("#identities li").count(), 1);
  await page.close();
});

test("destroying the store during a link closes its window and links nothing", async () => {
  const page = await storePage();
  const popupPromise = page.waitForPopup();
  await page.locator("#link-google").click();
  const popup = await popupPromise;
  await page.locator("#destroy").click();
  // The window goes with the store.
  await page.waitForFunction(() => document.getElementById("status").textContent === "destroyed");
  for (let i = 0; i < 50 && !(await popup.isClosed()); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(await popup.isClosed(), "the login window was closed");
  assert.equal((await linkPosts()).length, 0);
  await page.close();
});

test("the snapshot's texts are the locale's: progress, labels, the notice and the error's userMessage", async () => {
  const page = await storePage("?locale=ja");
  assert.equal(await page.locator("#status").textContent(), JAPANESE["status.ready"]);
  assert.equal(await page.locator("#link-google").textContent(), "Link Google");
  assert.ok((await page.locator("#identities li").first().textContent()).startsWith(`${JAPANESE["provider.auth0"]} · `));

  const popupPromise = page.waitForPopup();
  await page.locator("#link-google").click();
  const popup = await popupPromise;
  await popup.waitForURL(`${env.tenant.issuer}/authorize?**`);
  await page.locator('#status[data-status="awaiting_login"]').waitFor();
  assert.equal(await page.locator("#status").textContent(), JAPANESE["status.awaiting_login"]);
  await popup.close();
  await page.locator('#notice[data-kind="error"]').waitFor();
  assert.equal(await page.locator("#notice").textContent(), JAPANESE["error.popup_closed"]);
  const error = await page.evaluate(() => window.store.getSnapshot().notice.error.userMessage);
  assert.equal(error, JAPANESE["error.popup_closed"]);
  await page.close();
});
