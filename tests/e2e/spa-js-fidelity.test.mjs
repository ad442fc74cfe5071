// Fidelity with a real client: an unmodified @auth0/auth0-spa-js, in headless Chromium,
// signs a fixture user in against the dev tenant (loginWithRedirect → login page →
// callback → getTokenSilently with a fresh iframe round trip for the Management API
// audience) and reads GET /api/v2/users/{id} with that token.

import { test } from "node:test";
import assert from "node:assert/strict";
import { useTenantAndBrowser } from "./support.mjs";

const env = useTenantAndBrowser({ reset: false });

test("auth0-spa-js signs in and calls the Management API against the dev tenant", async () => {
  const page = await env.browser.context.newPage();
  const consoleErrors = [];
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  const requests = [];
  page.on("request", (r) => requests.push(`${r.method()} ${r.url()}`));
  page.on("response", (r) => r.status() === 404 && consoleErrors.push(`404 ${r.url()}`));
  const apiResponses = [];
  page.on("response", (r) => r.url().includes("/api/v2/users/") && r.request().method() === "GET" && apiResponses.push(r.status()));

  // auth0-spa-js's defaults (silent renewal through the tenant's session, an iframe).
  await page.goto(`${env.tenant.app}/?host=sdk-defaults`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${env.tenant.issuer}/authorize?**`);
  const url = new URL(page.url());
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
  assert.ok(apiResponses.length >= 1 && apiResponses.every((s) => s === 200), String(apiResponses));

  // Again with a fresh token (cacheMode "off"): a silent, iframe-based /authorize
  // (prompt=none, web_message) and another 200.
  const before = apiResponses.length;
  await page.getByRole("button", { name: "Refresh with a fresh token" }).click();
  await page.locator("#events li").filter({ hasText: "fresh token" }).waitFor();
  // (The widget reads the identities too, on its own schedule.)
  assert.ok(apiResponses.length > before);
  assert.ok(apiResponses.every((s) => s === 200), String(apiResponses));
  const silent = requests.filter((r) => r.includes("/authorize?") && r.includes("prompt=none"));
  assert.ok(silent.length >= 1, requests.join("\n"));
  assert.ok(silent.every((r) => r.includes("response_mode=web_message")));
  // One exchange for the redirect login, one per silent round trip.
  assert.equal(requests.filter((r) => r.startsWith("POST") && r.endsWith("/oauth/token")).length, 1 + silent.length);
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

test("with the demo's recommended configuration auth0-spa-js renews with a refresh token", async () => {
  // A fresh tenant (no session left by the test above).
  await env.tenant.test("/test/reset", {});
  const page = await env.browser.context.newPage();
  const requests = [];
  page.on("request", (r) => requests.push({ method: r.method(), url: r.url(), body: r.postData() ?? "" }));
  await page.goto(env.tenant.app);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${env.tenant.issuer}/authorize?**`);
  assert.match(new URL(page.url()).searchParams.get("scope"), /\boffline_access\b/);
  await page.locator('button[data-identity="auth0|alice"]').click();
  await page.waitForURL(`${env.tenant.app}/`);
  await page.locator("#user").filter({ hasText: "Signed in as Alice Example" }).waitFor();
  await page.getByRole("button", { name: "Refresh with a fresh token" }).click();
  await page.locator("#events li").filter({ hasText: "fresh token" }).waitFor();
  const tokenCalls = requests.filter((r) => r.method === "POST" && r.url.endsWith("/oauth/token"));
  assert.ok(tokenCalls.some((r) => r.body.includes("refresh_token")), JSON.stringify(tokenCalls.map((r) => r.body.slice(0, 60))));
  assert.ok(!requests.some((r) => r.url.includes("prompt=none")), "no silent iframe");
  await page.evaluate(() => localStorage.clear());
  await page.close();
});
