// The Vue 3 + Vite and SvelteKit 2 (Svelte 5) examples, installed from the packed tarball
// (scripts/build-examples): Vue built and served by the dev tenant at /vue/ under its
// strict CSP, and under `vite dev`; SvelteKit (prerendered: its server render imports the
// package) under `vite dev` and `vite preview`. Each links through a component or action
// around mount() and through the custom element.

import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { useTenantAndBrowser, signInAlice, viteServer, signInOnTheExample, linkThrough, signInInWindow, ROOT } from "./support.mjs";

const VUE = path.join(ROOT, "examples/vue-vite");
const SVELTEKIT = path.join(ROOT, "examples/sveltekit");
const GOOGLE = "google-oauth2|100000000000000000001";
const GITHUB = "github|4242";
const env = useTenantAndBrowser();


/** The example's page after sign-in: a re-render keeps the widget (no remount, no new
 *  list), both ways of using the package link, and the page reports no error. */
async function linksBothWays(page, requests, wrapperEvent) {
  await page.locator('#wrapper .aal-status[data-status="ready"]').waitFor({ timeout: 30000 });
  await page.locator('#element .aal-status[data-status="ready"]').waitFor();
  assert.equal(await page.locator("#element h3.aal-title").count(), 1, "heading-level attribute");
  await page.evaluate(() => (window.__wrapperSection = document.querySelector("#wrapper section.aal")));
  const before = (await requests()).length;
  await page.locator("#rerender").click();
  await page.locator("#rerender").filter({ hasText: "(1)" }).waitFor();
  assert.equal(await page.evaluate(() => window.__wrapperSection.isConnected), true, "the same widget");
  const lists = (await requests()).slice(before).filter((r) => r.method === "GET" && r.url.includes("/api/v2/users/"));
  assert.deepEqual(lists, [], "a re-render reads nothing again");
  await linkThrough(page, "#wrapper", "google-oauth2", GOOGLE);
  await page.locator("#events li").filter({ hasText: `${wrapperEvent} linked 2 (1)` }).waitFor();
  await linkThrough(page, "#element", "github", GITHUB);
  await page.locator("#events li").filter({ hasText: "element linked 3" }).waitFor();
  assert.deepEqual(await page.pageErrors(), []);
  if (page.browser.can.console) assert.deepEqual(page.consoleErrors, []);
}

/** The example's own UI on the store (`?own`, the package README's snippet for the
 *  framework): its status line, the primary labelled, a link with its question, the notice. */
async function ownUiLinks(page) {
  await page.locator('#own-status[data-status="ready"]').waitFor({ timeout: 30000 });
  assert.equal(await page.locator("#own-status").textContent(), "Choose an account to link.");
  assert.match(await page.locator('#own-identities li[data-primary="true"]').textContent(), /^\s*Email and password · alice@example\.com/);
  const popupPromise = page.waitForPopup();
  await page.locator('.own-link[data-connection="google-oauth2"]').click();
  await signInInWindow(await popupPromise, GOOGLE);
  await page.locator("#own-question").waitFor();
  await page.locator("#own-yes").click();
  await page.locator('#own-identities li[data-provider="google-oauth2"]').waitFor();
  await page.locator('#own-notice[data-code="linked"]').waitFor();
  assert.equal(await page.locator("#own-notice").textContent(), "The account was linked.");
  assert.deepEqual(await page.pageErrors(), []);
}

test("Vue, vite build: an own UI on the store (the README's shallowRef snippet) links", async () => {
  const page = await env.browser.newPage();
  await signInAlice(page, env);
  await page.goto(`${env.tenant.app}/vue/?own`);
  await page.locator("h1").filter({ hasText: "Signed in as Alice" }).waitFor();
  await ownUiLinks(page);
  await page.close();
});

test("SvelteKit, vite preview: an own UI on the store (the README's readable snippet) links", async () => {
  const dev = await viteServer(SVELTEKIT, {}, { preview: true, ownProcess: true });
  try {
    const page = await env.browser.newPage();
    await signInOnTheExample(page, dev.origin);
    // The signed-in page goes on loading (its widgets and their frames); Firefox may abort
    // a navigation that starts meanwhile (NS_BINDING_ABORTED): go once it is ready, and
    // once more if the browser still dropped it.
    await page.locator('#wrapper .aal-status[data-status="ready"]').waitFor({ timeout: 30000 });
    await page.goto(`${dev.origin}/?own`).catch(() => page.goto(`${dev.origin}/?own`));
    await page.locator("h1").filter({ hasText: "Signed in as Alice" }).waitFor({ timeout: 30000 });
    await ownUiLinks(page);
    await page.close();
  } finally {
    await dev.stop();
  }
});

test("Vue, vite build: the component around mount() and the custom element link from the packed package", async () => {
  const page = await env.browser.newPage();
  await signInAlice(page, env);
  await page.goto(`${env.tenant.app}/vue/`);
  await page.locator("h1").filter({ hasText: "Signed in as Alice" }).waitFor();
  await linksBothWays(page, () => env.tenant.requests(), "component");
  await page.close();
});

for (const app of [
  { name: "Vue", root: VUE, run: {}, wrapper: "component" },
  // SvelteKit finds its config from the working directory: Vite in a process of its own.
  { name: "SvelteKit", root: SVELTEKIT, run: { ownProcess: true }, wrapper: "action" },
]) {
  test(`${app.name}, vite dev: the ${app.wrapper} around mount() links`, async () => {
    const dev = await viteServer(app.root, {}, app.run);
    try {
      const page = await env.browser.newPage();
      await signInOnTheExample(page, dev.origin);
      await page.locator('#wrapper .aal-status[data-status="ready"]').waitFor({ timeout: 30000 });
      await linkThrough(page, "#wrapper", "github", GITHUB);
      await page.locator("#events li").filter({ hasText: `${app.wrapper} linked 2` }).waitFor();
      await page.close();
    } finally {
      await dev.stop();
    }
  });
}

test("SvelteKit, vite preview of the prerendered build: the action and the custom element link", async () => {
  const dev = await viteServer(SVELTEKIT, {}, { preview: true, ownProcess: true });
  try {
    const page = await env.browser.newPage();
    await signInOnTheExample(page, dev.origin);
    await linksBothWays(page, () => dev.tenant.requests(), "action");
    await page.close();
  } finally {
    await dev.stop();
  }
});
