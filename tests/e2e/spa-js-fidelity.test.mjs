// Fidelity with a real client: an unmodified @auth0/auth0-spa-js, in each browser under test,
// signs a fixture user in against the dev tenant (loginWithRedirect → login page →
// callback → getTokenSilently with a fresh iframe round trip for the Management API
// audience) and reads GET /api/v2/users/{id} with that token.

import { test } from "node:test";
import assert from "node:assert/strict";
import { useTenantAndBrowser } from "./support.mjs";

const env = useTenantAndBrowser({ reset: false });

test("auth0-spa-js signs in and calls the Management API against the dev tenant", async () => {
  const page = await env.browser.newPage();
  // What the page (and the iframes auth0-spa-js opens) asked of the tenant and the app.
  const seen = async () => (await env.tenant.requests()).filter((r) => r.method !== "OPTIONS");
  const apiResponses = async () => (await seen()).filter((r) => r.url.includes("/api/v2/users/") && r.method === "GET").map((r) => r.status);

  // auth0-spa-js's defaults (silent renewal through the tenant's session, an iframe).
  await page.goto(`${env.tenant.app}/?host=sdk-defaults`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${env.tenant.issuer}/authorize?**`);
  const url = new URL(await page.url());
  assert.equal(url.searchParams.get("code_challenge_method"), "S256");
  assert.equal(url.searchParams.get("audience"), `${env.tenant.issuer}/api/v2/`);
  await page.locator('button[data-identity="auth0|alice"]').click();

  await page.waitForURL(`${env.tenant.app}/`);
  await page.locator("#user").filter({ hasText: "Signed in as Alice Example" }).waitFor();
  const primary = page.locator("#identities li");
  await primary.first().waitFor();
  assert.equal(await primary.count(), 1);
  assert.match(await primary.first().textContent(), /auth0.*Username-Password-Authentication.*\(primary\)/);
  // The demo's own read (and the widget's, which shares the token) all succeed.
  const first = await apiResponses();
  assert.ok(first.length >= 1 && first.every((s) => s === 200), String(first));

  // Again with a fresh token (cacheMode "off"): a silent, iframe-based /authorize
  // (prompt=none, web_message) and another 200.
  const before = first.length;
  await page.getByRole("button", { name: "Refresh with a fresh token" }).click();
  // The fresh read (a failure names what the demo's status line says).
  await page.locator("#events li").filter({ hasText: "fresh token" }).waitFor().catch(async (e) => {
    throw new Error(`no fresh read; the demo says: ${await page.locator("#status").textContent()} (${e.message})`);
  });
  // (The widget reads the identities too, on its own schedule.)
  const after = await apiResponses();
  assert.ok(after.length > before);
  assert.ok(after.every((s) => s === 200), String(after));
  const requests = await seen();
  const silent = requests.filter((r) => r.url.includes("/authorize?") && r.url.includes("prompt=none"));
  assert.ok(silent.length >= 1, requests.map((r) => `${r.method} ${r.url}`).join("\n"));
  assert.ok(silent.every((r) => r.url.includes("response_mode=web_message")));
  // One exchange for the redirect login, one per silent round trip.
  assert.equal(requests.filter((r) => r.method === "POST" && r.url.endsWith("/oauth/token")).length, 1 + silent.length);
  // (A browser asks for /favicon.ico on its own.)
  assert.deepEqual(requests.filter((r) => r.status === 404 && !r.url.endsWith("/favicon.ico")).map((r) => r.url), [], "nothing asked for is missing");
  assert.deepEqual(await page.pageErrors(), []);
  if (env.browser.can.console) assert.deepEqual(page.consoleErrors, []);
  await page.close();
});

test("with the demo's recommended configuration auth0-spa-js renews with a refresh token", async () => {
  // A fresh tenant (no session left by the test above).
  await env.tenant.test("/test/reset", {});
  const page = await env.browser.newPage();
  await page.goto(env.tenant.app);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${env.tenant.issuer}/authorize?**`);
  assert.match(new URL(await page.url()).searchParams.get("scope"), /\boffline_access\b/);
  await page.locator('button[data-identity="auth0|alice"]').click();
  await page.waitForURL(`${env.tenant.app}/`);
  await page.locator("#user").filter({ hasText: "Signed in as Alice Example" }).waitFor();
  await page.getByRole("button", { name: "Refresh with a fresh token" }).click();
  await page.locator("#events li").filter({ hasText: "fresh token" }).waitFor();
  const requests = await env.tenant.requests();
  const grants = requests.filter((r) => r.method === "POST" && r.url.endsWith("/oauth/token")).map((r) => r.grant_type);
  // The widget on the page asks the primary's sign-in again ahead of the click in a hidden
  // frame (`prompt=none` with `max_age`) and exchanges its code; auth0-spa-js itself renews
  // with its refresh token and opens no silent iframe.
  const silent = requests
    .filter((r) => r.url.includes("/authorize?"))
    .map((r) => new URL(r.url).searchParams)
    .filter((q) => q.get("prompt") === "none");
  assert.ok(silent.every((q) => q.has("max_age")), "no silent iframe of auth0-spa-js");
  assert.deepEqual(grants.filter((g) => g === "refresh_token"), ["refresh_token"]);
  assert.equal(grants.filter((g) => g === "authorization_code").length, 1 + silent.length);
  await page.evaluate(() => localStorage.clear());
  await page.close();
});
