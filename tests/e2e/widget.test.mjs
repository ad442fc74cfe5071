// End to end: the demo (unmodified auth0-spa-js for the primary sign-in) + the widget
// package + the dev tenant, in each browser under test (driver.mjs). Real popups, real
// HTTP, real signatures.

import { test } from "node:test";
import assert from "node:assert/strict";
import { useTenantAndBrowser, signInAlice, linkToBob, declineThenReloadAsAlice, signInInWindow } from "./support.mjs";

const GOOGLE = "google-oauth2|100000000000000000001";
const GITHUB = "github|4242";

const env = useTenantAndBrowser();

/** Signs Alice in on the demo and waits until the widget is ready. */
async function signedIn(query = "") {
  const page = await env.browser.newPage();
  await signInAlice(page, env);
  if (query) {
    // Demo options come from the query; the tenant session signs Alice in again silently.
    if (query.includes("host=sdk-defaults")) await page.evaluate(() => localStorage.clear());
    await page.goto(`${env.tenant.app}/${query}`);
    await page.locator('.aal-status[data-status="ready"]').waitFor();
  }
  return { page };
}

/** The widget's events the host heard since the page loaded, from the demo's event log
 *  (the demo writes each `account-link:*` event there as it arrives). */
async function events(page) {
  const lines = await page.locator("#events li").evaluateAll((items) => items.map((li) => li.textContent));
  return lines
    .map((line) => /(account-link:\w+) (?:code=(\w+)(?: reason=(\w+))?|identities=(\d+))/.exec(line))
    .filter(Boolean)
    .map(([, name, code, reason, identities]) => ({ name, code: code ?? null, reason: reason ?? null, identities: identities === undefined ? null : Number(identities) }));
}

/** Waits until the host heard an error event with this code. */
async function heard(page, code) {
  await page.locator("#events li").filter({ hasText: `account-link:error code=${code}` }).first().waitFor();
}

/** Clicks a connection button and signs the secondary in inside the popup. */
async function linkInPopup(page, connection, identity) {
  const popupPromise = page.waitForPopup();
  await page.locator(`button.aal-link[data-connection="${connection}"]`).click();
  const popup = await popupPromise;
  const { url, asked } = await signInInWindow(popup, identity);
  return { popup, url, asked };
}

async function linkPosts() {
  const log = await env.tenant.test("/test/mgmt-log");
  return log.filter((e) => e.method === "POST" && e.path.endsWith("/identities"));
}

/** The link calls made for Alice (not Bob's back end's). */
async function alicesLinkPosts() {
  return (await linkPosts()).filter((e) => e.path.includes(encodeURIComponent("auth0|alice")));
}

async function identityCount(page) {
  return page.locator(".aal-identity").count();
}

test("links Google via the popup with a confirm step, then unlinks it", async () => {
  const { page } = await signedIn();
  assert.equal(await identityCount(page), 1);
  const { url, asked } = await linkInPopup(page, "google-oauth2", GOOGLE);
  assert.equal(asked, false, "a recent session is not asked to sign in again");
  assert.equal(url.searchParams.get("connection"), "google-oauth2");
  assert.equal(url.searchParams.get("prompt"), "login");
  assert.equal(url.searchParams.get("response_mode"), "web_message");
  assert.equal(url.searchParams.get("code_challenge_method"), "S256");
  const dialog = page.locator(".aal-confirm");
  await dialog.waitFor();
  assert.equal(await dialog.locator(".aal-confirm-provider").textContent(), "Google");
  assert.equal(await dialog.locator(".aal-confirm-email").textContent(), "alice.example@gmail.test");
  // The account holds saved settings and app data: the screen says the link discards them.
  const settings = await dialog.locator(".aal-discard-settings").textContent();
  for (const name of ["locale", "newsletter", "theme"]) assert.ok(settings.includes(name), settings);
  assert.ok(await dialog.locator(".aal-discard-app-data").count());
  // Keyboard users land on the question, not on "Link this account": an Enter carried
  // over from the sign-in window links nothing; Tab reaches the button, Enter links.
  assert.equal(await page.evaluate(() => document.activeElement?.className), "aal-dialog-title");
  await page.keyboard.press("Enter");
  await page.waitForTimeout(200);
  assert.equal((await linkPosts()).length, 0, "Enter on the question links nothing");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.className), "aal-confirm-link");
  await page.keyboard.press("Enter");
  await page.locator(`.aal-identity[data-provider="google-oauth2"]`).waitFor();
  assert.equal(await identityCount(page), 2);
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  assert.deepEqual((await events(page)).filter((e) => e.name === "account-link:linked").map((e) => e.identities), [2]);
  assert.equal((await linkPosts()).length, 1);
  // The host's own view (from the event) follows.
  await page.locator("#identities li").nth(1).waitFor();

  await page.locator(`.aal-identity[data-provider="google-oauth2"] .aal-unlink`).click();
  // The destructive question focuses its safe answer.
  await page.locator(".aal-confirm-unlink").waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.className), "aal-cancel");
  await page.locator(".aal-confirm-unlink").click();
  await page.locator(`.aal-identity[data-provider="google-oauth2"]`).waitFor({ state: "detached" });
  // The dialog's focused button went away: the focus stays in the widget, not on the body.
  assert.ok(await page.evaluate(() => document.activeElement?.closest(".aal") != null));
  assert.equal(await identityCount(page), 1);
  assert.deepEqual((await events(page)).filter((e) => e.name === "account-link:unlinked").map((e) => e.identities), [1]);
  assert.equal(await page.locator(".aal-identity").first().locator(".aal-unlink").count(), 0, "the primary identity has no unlink button");

  // The unlinked account can be linked again right away.
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  await linkInPopup(page, "google-oauth2", GOOGLE);
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator(`.aal-identity[data-provider="google-oauth2"]`).waitFor();
  const jwks = (await env.tenant.requests()).filter((r) => r.url.endsWith("/.well-known/jwks.json"));
  assert.equal(jwks.length, 1, "the JWKS is cached for the page's life");
  assert.deepEqual(await page.pageErrors(), []);
  await page.close();
});

test("handle.update() with a new getAccessToken and label keeps the popup in flight, which links", async () => {
  const { page } = await signedIn();
  await page.evaluate(() => (window.__widgetSection = document.querySelector("section.aal")));
  const popupPromise = page.waitForPopup();
  await page.locator('button.aal-link[data-connection="github"]').click();
  const popup = await popupPromise;
  await popup.waitForURL(`${env.tenant.issuer}/authorize?**`);
  // The host re-renders while the user is in the popup: new token function, new label.
  await page.evaluate(() => {
    window.tokenCalls = 0;
    const { handle, options } = window.demo;
    const previous = options.getAccessToken;
    handle.update({
      ...options,
      getAccessToken: () => { window.tokenCalls += 1; return previous(); },
      connections: options.connections.map((c) => (c.name === "github" ? { ...c, label: "GitHub (work)" } : c)),
    });
  });
  await page.locator('button.aal-link[data-connection="github"]', { hasText: "GitHub (work)" }).waitFor();
  assert.equal(await page.locator('.aal-status').getAttribute("data-status"), "awaiting_login");
  assert.ok(!await popup.isClosed(), "the popup survived the update");
  await signInInWindow(popup, GITHUB);
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator('.aal-identity[data-provider="github"]').waitFor();
  assert.ok(await page.evaluate(() => window.tokenCalls) >= 1, "the link used the new getAccessToken");
  assert.ok(await page.evaluate(() => window.__widgetSection.isConnected), "the widget was not remounted");
  assert.deepEqual((await events(page)).filter((e) => e.name === "account-link:linked").map((e) => e.identities), [2]);
  // Wrong new options throw config_invalid and leave the running widget as it was.
  const code = await page.evaluate(() => {
    try {
      window.demo.handle.update({ ...window.demo.options, clientId: "" });
      return null;
    } catch (e) {
      return e.code;
    }
  });
  assert.equal(code, "config_invalid");
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  assert.equal(await page.locator(".aal-identity").count(), 2);
  assert.deepEqual(await page.pageErrors(), []);
  await page.close();
});

test("two widgets on one page, each with a popup open, never cross their logins", async () => {
  const { page } = await signedIn();
  // A second widget beside the demo's, same tenant and client.
  await page.evaluate(async () => {
    const widget = await import("/pkg/index.js");
    const host = document.createElement("div");
    host.id = "second";
    document.body.append(host);
    window.second = widget.mount(host, window.demo.options);
  });
  const first = page.locator("#account-link");
  const second = page.locator("#second");
  await second.locator('.aal-status[data-status="ready"]').waitFor();

  const openPopup = async (widget, connection) => {
    const popupPromise = page.waitForPopup();
    await widget.locator(`button.aal-link[data-connection="${connection}"]`).click();
    const popup = await popupPromise;
    await popup.waitForURL(`${env.tenant.issuer}/authorize?**`);
    return popup;
  };
  const googlePopup = await openPopup(first, "google-oauth2");
  const githubPopup = await openPopup(second, "github");
  assert.ok(!await googlePopup.isClosed(), "the second widget's popup did not take over the first's window");

  // The second widget's login answers first: only the second widget asks to confirm.
  await signInInWindow(githubPopup, GITHUB);
  await second.locator(".aal-confirm .aal-confirm-provider").filter({ hasText: "GitHub" }).waitFor();
  assert.equal(await first.locator('.aal-status').getAttribute("data-status"), "awaiting_login");
  assert.equal(await first.locator(".aal-confirm").count(), 0);

  // Then the first's: it gets its own (Google) account, not the other widget's.
  await signInInWindow(googlePopup, GOOGLE);
  await first.locator(".aal-confirm .aal-confirm-provider").filter({ hasText: "Google" }).waitFor();
  await first.locator(".aal-confirm .aal-confirm-link").click();
  await first.locator('.aal-identity[data-provider="google-oauth2"]').waitFor();
  await second.locator(".aal-confirm .aal-confirm-link").click();
  await second.locator('.aal-identity[data-provider="github"]').waitFor();
  assert.equal((await linkPosts()).length, 2);
  await page.evaluate(() => window.second.unmount());
  assert.deepEqual(await page.pageErrors(), []);
  await page.close();
});

test("an authorization response posted from another origin is ignored (timeout)", async () => {
  // The secondary's login alone: the forged answer is the first the window gives.
  const { page } = await signedIn("?popupTimeout=10&reauth=off");
  await env.tenant.test("/test/misbehave", { switch: "authorize_wrong_origin" });
  const tokenPostsBefore = (await env.tenant.requests()).filter((r) => r.url.endsWith("/oauth/token") && r.method === "POST").length;
  const { popup } = await linkInPopup(page, "google-oauth2", GOOGLE);
  // The answer comes from http://localhost:PORT, not the tenant's http://127.0.0.1:PORT.
  await popup.waitForURL("http://localhost:*/authorize/relay?**");
  await page.locator('.aal-notice[data-code="timeout"]').waitFor({ timeout: 20000 });
  await heard(page, "timeout");
  const tokenPosts = (await env.tenant.requests()).filter((r) => r.url.endsWith("/oauth/token") && r.method === "POST").length;
  assert.equal(tokenPosts, tokenPostsBefore, "the forged response never reached the token endpoint");
  assert.equal(await popup.isClosed(), true, "the popup was closed on timeout");
  await page.close();
});

test("links with responseMode query through the callback page", async () => {
  const { page } = await signedIn("?responseMode=query");
  const { url } = await linkInPopup(page, "github", GITHUB);
  assert.equal(url.searchParams.get("response_mode"), "query");
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator(`.aal-identity[data-provider="github"]`).waitFor();
  await page.close();
});

test("closing the popup ends with popup_closed and leaves the widget usable", async () => {
  const { page } = await signedIn();
  const popupPromise = page.waitForPopup();
  await page.locator('button.aal-link[data-connection="google-oauth2"]').click();
  const popup = await popupPromise;
  // Closed at the account to link's login page (the sign-in again before it answered at
  // once; closing there is reauthentication_failed: reauth.test.mjs).
  await popup.locator(`button[data-identity="${GOOGLE}"]`).waitFor();
  await popup.close();
  await page.locator('.aal-notice[data-code="popup_closed"]').waitFor();
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  await heard(page, "popup_closed");
  assert.equal(await identityCount(page), 1);
  // Usable again: a new attempt links.
  await linkInPopup(page, "google-oauth2", GOOGLE);
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator(`.aal-identity[data-provider="google-oauth2"]`).waitFor();
  await page.close();
});

test("after a declined secondary login the host is told (session_changed), recovers, and a token for the other user is refused", async () => {
  // auth0-spa-js's defaults: its renewals go through the tenant's session. Without the
  // sign-in again (whose own token would make the link: see the re-authentication tests),
  // the widget must refuse the host's token for the other account.
  const { page } = await signedIn("?host=sdk-defaults&reauth=off");
  await linkInPopup(page, "github", GITHUB);
  await page.locator(".aal-confirm .aal-cancel").click();
  await page.locator('.aal-session-changed[data-code="session_changed"]').waitFor();
  await heard(page, "session_changed");
  assert.deepEqual((await events(page)).filter((e) => e.code === "session_changed" || e.code === "cancelled").map((e) => e.code).sort(), ["cancelled", "session_changed"]);
  await page.locator("#session-changed").waitFor();

  // The host renews its token from the tenant's session: it now gets the GitHub account.
  await page.locator("#refresh").click();
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  const before = (await linkPosts()).length;
  await linkInPopup(page, "google-oauth2", GOOGLE);
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator('.aal-notice[data-code="user_mismatch"]').waitFor();
  assert.equal((await linkPosts()).length, before, "nothing was sent for the other user");

  // The demo's way back: sign the primary user in again (the test tenant's login_hint
  // auto-login answers the login page).
  await page.locator("#sign-in-again").click();
  await page.waitForURL(`${env.tenant.app}/`);
  await page.locator("#user").filter({ hasText: "alice@example.com" }).waitFor();
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  assert.deepEqual(await page.pageErrors(), []);
  await page.close();
});

test("declining the confirm step links nothing", async () => {
  const { page } = await signedIn();
  await linkInPopup(page, "google-oauth2", GOOGLE);
  await page.locator(".aal-confirm .aal-cancel").click();
  await page.locator('.aal-notice[data-code="cancelled"]').waitFor();
  await heard(page, "cancelled");
  assert.equal((await linkPosts()).length, 0);
  await page.close();
});

const refusals = [
  { switch: "id_token_wrong_nonce", code: "id_token_invalid", reason: "nonce", posts: 0 },
  { switch: "id_token_bad_signature", code: "id_token_invalid", reason: "signature", posts: 0 },
  { switch: "id_token_wrong_aud", code: "id_token_invalid", reason: "aud", posts: 0 },
  { switch: "authorize_access_denied", code: "authorization_denied", reason: null, posts: 0 },
  { switch: "mgmt_rate_limited", extra: { route: "link" }, code: "rate_limited", reason: null, posts: 1, confirm: true },
  { switch: "mgmt_server_error", extra: { route: "link" }, code: "server_error", reason: null, posts: 1, confirm: true },
];

for (const r of refusals) {
  test(`tenant misbehaviour ${r.switch} ends in ${r.code}${r.reason ? `/${r.reason}` : ""}`, async () => {
    // The secondary's login alone: the switches bend the first login the tenant answers.
    const { page } = await signedIn("?reauth=off");
    await env.tenant.test("/test/misbehave", { switch: r.switch, ...(r.extra ?? {}) });
    if (r.switch === "authorize_access_denied") {
      // The tenant answers at once: the window may be gone before a driver sees it (WebKit's
      // classic WebDriver only lists windows), so the answer is what is waited for.
      await page.locator('button.aal-link[data-connection="google-oauth2"]').click();
    } else {
      await linkInPopup(page, "google-oauth2", GOOGLE);
    }
    if (r.confirm) await page.locator(".aal-confirm .aal-confirm-link").click();
    const notice = page.locator(`.aal-notice[data-code="${r.code}"]`);
    await notice.waitFor();
    await heard(page, r.code);
    const heardEvents = await events(page);
    const error = heardEvents.find((e) => e.name === "account-link:error" && e.code !== "session_changed");
    assert.equal(error?.code, r.code);
    assert.equal(error?.reason, r.reason);
    // A secondary login that completed without a link is reported (the IdP's refusal is none).
    const loggedIn = r.switch !== "authorize_access_denied";
    assert.equal(heardEvents.some((e) => e.code === "session_changed"), loggedIn);
    assert.equal((await linkPosts()).length, r.posts);
    assert.equal(await identityCount(page), 1, "nothing was linked; the list is intact");
    await page.locator('.aal-status[data-status="ready"]').waitFor();
    await page.close();
  });
}

/** Bob's back end links GitHub (github|4242) to Bob. */
const linkGithubToBob = () => linkToBob(env, "github", "4242");

test("a sign-in that is another user with other logins is refused by default: nothing merged", async () => {
  // Bob has GitHub linked. Alice signs in with that GitHub: Auth0 signs her in as Bob.
  await linkGithubToBob();
  const { page } = await signedIn();
  await linkInPopup(page, "github", GITHUB);
  const notice = page.locator('.aal-notice[data-code="secondary_has_other_logins"]');
  await notice.waitFor();
  assert.match(await notice.textContent(), /existing account with other sign-in methods.*\(bob@example\.com\)/);
  assert.equal(await page.locator(".aal-confirm").count(), 0, "nothing to confirm");
  await heard(page, "secondary_has_other_logins");
  assert.equal((await alicesLinkPosts()).length, 0, "no link call");
  assert.equal(await identityCount(page), 1, "Alice keeps her own login only");
  await page.close();
});

test("with allowMerge the user sees the merge screen, and only then the whole user moves", async () => {
  await linkGithubToBob();
  const { page } = await signedIn("?merge=allow");
  await linkInPopup(page, "github", GITHUB);
  const screen = page.locator(".aal-confirm.aal-merge");
  await screen.waitFor();
  assert.match(await screen.locator(".aal-dialog-title").textContent(), /existing account with other sign-in methods/);
  const logins = await screen.locator(".aal-merge-logins li").evaluateAll((items) => items.map((li) => `${li.dataset.provider}|${li.dataset.userId}`));
  assert.deepEqual(logins, ["auth0|bob", "github|4242"]);
  assert.match(await screen.locator(".aal-merge-not-moved").textContent(), /profile.*settings.*data/);
  assert.equal((await alicesLinkPosts()).length, 0, "nothing linked before the user answers");
  await screen.locator(".aal-confirm-link").click();
  await page.locator('.aal-identity[data-provider="github"]').waitFor();
  assert.equal(await identityCount(page), 3, "Alice, Bob's password login, GitHub");
  assert.equal((await alicesLinkPosts()).length, 1);
  await page.close();
});

test("409: an identity already linked to another user", async () => {
  // Alice signs in with GitHub in the popup; before she confirms, Bob's back end links
  // that GitHub identity to Bob (server-side flow). Her link call then gets Auth0's 409.
  const { page } = await signedIn();
  await linkInPopup(page, "github", GITHUB);
  // The ID token is issued (the question shows it) before Bob's back end acts.
  await page.locator(".aal-confirm").waitFor();
  await linkGithubToBob();
  await page.locator(".aal-confirm .aal-confirm-link").click();
  // Not "already linked to you": another user has it, and the notice says what to do.
  const notice = page.locator('.aal-notice[data-code="linked_to_another_user"]');
  await notice.waitFor();
  assert.match(await notice.textContent(), /another user.*sign in with it, unlink it there/);
  await heard(page, "linked_to_another_user");
  assert.equal(await identityCount(page), 1);
  await page.close();
});

test("beforeLink: the host's rule stops a link with its own sentence, and lets others through", async () => {
  const { page } = await signedIn("?policy=no-github");
  await linkInPopup(page, "github", GITHUB);
  await page.locator(".aal-confirm .aal-confirm-link").click();
  const notice = page.locator('.aal-notice[data-code="cancelled"]');
  await notice.waitFor();
  assert.match(await notice.textContent(), /^This site does not accept GitHub accounts\./);
  assert.equal((await linkPosts()).length, 0, "nothing was sent");
  await heard(page, "cancelled");
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  await linkInPopup(page, "google-oauth2", GOOGLE);
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator('.aal-identity[data-provider="google-oauth2"]').waitFor();
  assert.equal((await linkPosts()).length, 1);
  assert.equal(await identityCount(page), 2);
  await page.close();
});

test("429 on the link call: the notice says so once and Try again counts down", async () => {
  const { page } = await signedIn();
  await env.tenant.test("/test/misbehave", { switch: "mgmt_rate_limited", route: "link" });
  await linkInPopup(page, "github", GITHUB);
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator('.aal-notice[data-code="rate_limited"]').waitFor();
  await heard(page, "rate_limited");
  // The sentence is said once, by the notice; the link buttons wait for the countdown.
  const notice = await page.locator(".aal-notice").textContent();
  assert.notEqual((await page.locator(".aal-status").textContent()).trim(), notice.trim());
  const wait = page.locator("button.aal-retry-wait");
  assert.match(await wait.textContent(), /^Try again in [12] s$/);
  assert.equal(await wait.isDisabled(), true);
  assert.equal(await page.locator("button.aal-link:not([disabled])").count(), 0);
  await wait.waitFor({ state: "detached", timeout: 5000 });
  await page.locator("button.aal-link:not([disabled])").first().waitFor();
  await linkInPopup(page, "github", GITHUB);
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator('.aal-identity[data-provider="github"]').waitFor();
  assert.equal(await identityCount(page), 2);
  await page.close();
});

test("a locale loads only its own catalog, is sent as ui_locales, and Arabic reads right to left", async () => {
  // auth0-spa-js's defaults, so the reload below renews through the tenant's session.
  const { page } = await signedIn("?host=sdk-defaults");
  const catalogsBefore = (await env.tenant.requests()).length;
  await page.goto(`${env.tenant.app}/?locale=de`);
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  const catalogs = (await env.tenant.requests()).slice(catalogsBefore).filter((r) => r.url.includes("/pkg/locales/"));
  assert.deepEqual(catalogs.map((r) => new URL(r.url).pathname), ["/pkg/locales/de.js"]);
  assert.equal(await page.locator("#account-link h3.aal-title").textContent(), "Verknüpfte Konten");
  assert.equal(await page.locator("#account-link section.aal").getAttribute("lang"), "de");
  const { popup, url } = await linkInPopup(page, "github", GITHUB);
  assert.equal(url.searchParams.get("ui_locales"), "de");
  await page.locator(".aal-confirm").waitFor();
  assert.equal(await page.locator(".aal-confirm .aal-confirm-link").textContent(), "Konto verknüpfen");
  await page.keyboard.press("Escape");
  await page.locator('.aal-notice[data-code="cancelled"]').waitFor();
  assert.equal((await linkPosts()).length, 0, "Escape declined the link");
  await popup.close().catch(() => {});
  // The declined login left the tenant's session to the GitHub account: a reload that
  // comes back as that account is refused (the tab remembers Alice), never shown as hers.
  await page.goto(`${env.tenant.app}/?locale=ar`);
  await page.locator('#account-link .aal-session-changed[data-code="session_changed"]').waitFor();
  await page.locator('#account-link .aal-notice[data-code="user_mismatch"]').waitFor();
  assert.equal(await page.locator("#account-link .aal-identity").count(), 0);
  // Signing out and in as Alice again brings her widget back.
  await page.locator("#sign-out").click();
  await signInAlice(page, env);
  await page.goto(`${env.tenant.app}/?locale=ar`);
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  const section = page.locator("#account-link section.aal");
  assert.equal(await section.getAttribute("dir"), "rtl");
  assert.equal(await page.locator("#account-link .aal-title").textContent(), "الحسابات المرتبطة");
  // Logical properties: the badge sits at the right-hand start of an RTL row.
  const row = await page.locator(".aal-identity").first().boundingBox();
  const badge = await page.locator(".aal-identity .aal-badge").first().boundingBox();
  assert.ok(badge.x + badge.width > row.x + row.width - 40, `badge ${JSON.stringify(badge)} row ${JSON.stringify(row)}`);
  await page.close();
});

/** Blocks the next window.open, then continues in this tab through the Google login. */
async function linkThroughRedirect(page) {
  await page.evaluate(() => {
    window.open = () => null;
  });
  await page.locator('button.aal-link[data-connection="google-oauth2"]').click();
  await page.locator('.aal-notice[data-code="popup_blocked"]').waitFor();
  await heard(page, "popup_blocked");
  await page.locator(".aal-continue-in-tab").click();
  // The tab first makes the primary's sign-in again round trip (a recent session answers at
  // once); the account's own login page is the one that names its connection.
  await page.locator(`button[data-identity="${GOOGLE}"]`).waitFor();
  const url = new URL(await page.url());
  assert.equal(url.searchParams.get("response_mode"), "query");
  assert.equal(url.searchParams.get("connection"), "google-oauth2");
  await page.locator(`button[data-identity="${GOOGLE}"]`).click();
  await page.waitForURL(`${env.tenant.app}/`);
}

test("a blocked popup offers the redirect fallback, which completes the link for the same user", async () => {
  // The host keeps its tokens across page loads (auth0-spa-js cacheLocation localstorage).
  const { page } = await signedIn("?tokenCache=localstorage");
  await linkThroughRedirect(page);
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator(`.aal-identity[data-provider="google-oauth2"]`).waitFor();
  await page.locator('.aal-notice[data-code=""]').waitFor();
  const posts = await linkPosts();
  assert.equal(posts.length, 1);
  assert.ok(posts[0].path.includes(encodeURIComponent("auth0|alice")), `linked to Alice: ${posts[0].path}`);
  assert.equal(await identityCount(page), 2, "Alice's list: primary + Google");
  assert.equal(new URL(await page.url()).search, "", "code and state are gone from the URL");
  const pending = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith("auth0-account-link:")));
  assert.deepEqual(pending, [], "the pending transaction was deleted on use");
  await page.evaluate(() => localStorage.clear());
  await page.close();
});

test("a host page with Cross-Origin-Opener-Policy same-origin-allow-popups links through the popup", async () => {
  const { page } = await signedIn("?coop=same-origin-allow-popups");
  await linkInPopup(page, "github", GITHUB);
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator('.aal-identity[data-provider="github"]').waitFor();
  assert.equal((await linkPosts()).length, 1);
  await page.close();
});

test("a host page with Cross-Origin-Opener-Policy same-origin ends at once with popup_blocked, and continuing in the tab links", async () => {
  // The policy cuts the page off from the login window it opens on the tenant's origin:
  // the window reads as closed and could never answer. The widget says so within a second
  // or two (not after the popup timeout), and offers the redirect fallback.
  const { page } = await signedIn("?coop=same-origin&tokenCache=localstorage");
  const clicked = Date.now();
  await page.locator('button.aal-link[data-connection="google-oauth2"]').click();
  await page.locator('.aal-notice[data-code="popup_blocked"]').waitFor({ timeout: 5000 });
  const took = Date.now() - clicked;
  assert.ok(took < 5000, `popup_blocked after ${took} ms`);
  // Allowing pop-ups would not help here: the user is told to continue in the tab.
  const notice = await page.locator('.aal-notice[data-code="popup_blocked"]').textContent();
  assert.match(notice, /cannot receive the answer of the sign-in window\. Continue in this tab/);
  assert.doesNotMatch(notice, /Allow pop-ups/);
  await heard(page, "popup_blocked");
  await page.locator(".aal-continue-in-tab").click();
  await page.waitForURL(`${env.tenant.issuer}/authorize?**`);
  await page.locator(`button[data-identity="${GOOGLE}"]`).click();
  await page.waitForURL(`${env.tenant.app}/`);
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator('.aal-identity[data-provider="google-oauth2"]').waitFor();
  assert.equal((await linkPosts()).length, 1);
  await page.evaluate(() => localStorage.clear());
  await page.close();
});

test("two tabs continuing in their tab at once each resume their own login", async () => {
  const tab = async (connection, first) => {
    let page;
    if (first) {
      ({ page } = await signedIn("?tokenCache=localstorage"));
    } else {
      // Alice is signed in already (same browser): the second tab just opens the app.
      page = await env.browser.newPage();
      await page.goto(`${env.tenant.app}/?tokenCache=localstorage`);
      await page.locator('.aal-status[data-status="ready"]').waitFor();
    }
    await page.evaluate(() => {
      window.open = () => null;
    });
    await page.locator(`button.aal-link[data-connection="${connection}"]`).click();
    await page.locator(".aal-continue-in-tab").click();
    await page.waitForURL(`${env.tenant.issuer}/authorize?**`);
    return page;
  };
  // Both tabs are on the login page at the same time, each with its pending transaction.
  const googleTab = await tab("google-oauth2", true);
  const githubTab = await tab("github", false);
  await signInInWindow(githubTab, GITHUB);
  await githubTab.waitForURL(`${env.tenant.app}/`);
  await signInInWindow(googleTab, GOOGLE);
  await googleTab.waitForURL(`${env.tenant.app}/`);
  // Each tab confirms the account it signed in with.
  await githubTab.locator(".aal-confirm .aal-confirm-provider").filter({ hasText: "GitHub" }).waitFor();
  await googleTab.locator(".aal-confirm .aal-confirm-provider").filter({ hasText: "Google" }).waitFor();
  await githubTab.locator(".aal-confirm .aal-confirm-link").click();
  await githubTab.locator('.aal-identity[data-provider="github"]').waitFor();
  await googleTab.locator(".aal-confirm .aal-confirm-link").click();
  await googleTab.locator('.aal-identity[data-provider="google-oauth2"]').waitFor();
  assert.equal((await linkPosts()).length, 2);
  await googleTab.evaluate(() => localStorage.clear());
  await googleTab.close();
  await githubTab.close();
});

test("a redirect return whose host became the other account refuses its token and says so", async () => {
  // No token cache: on return, auth0-spa-js renews silently from the tenant's session,
  // which the secondary login now owns.
  const { page } = await signedIn("?host=sdk-defaults");
  await linkThroughRedirect(page);
  // Listing with the renewed token is refused at once; confirming cannot link either.
  await page.locator('.aal-notice[data-code="user_mismatch"]').waitFor();
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator('.aal-session-changed[data-code="session_changed"]').waitFor();
  await heard(page, "session_changed");
  await heard(page, "user_mismatch");
  assert.equal((await linkPosts()).length, 0, "nothing was sent in the other account's name");
  await page.close();
});

test("no token is ever written to localStorage, sessionStorage, cookies or a URL", async () => {
  // The host's own cache in memory: what is stored is the widget's alone.
  const { page } = await signedIn("?host=sdk-defaults");
  await linkInPopup(page, "google-oauth2", GOOGLE);
  await page.locator(".aal-confirm .aal-confirm-link").click();
  await page.locator(`.aal-identity[data-provider="google-oauth2"]`).waitFor();
  const stored = await page.evaluate(() => ({
    local: Object.entries(localStorage),
    session: Object.entries(sessionStorage),
    cookie: document.cookie,
  }));
  const cookies = await env.browser.cookies();
  // Every URL the page, its popup and their scripts asked for, as the servers saw them.
  const urls = (await env.tenant.requests()).map((r) => [r.url, r.referer]);
  const haystack = JSON.stringify({ stored, cookies, urls, current: await page.url() });
  // Every JWT (access or ID token) starts with base64url('{"') = "eyJ".
  assert.ok(!/eyJ[\w-]+\.[\w-]+/.test(haystack), `a token leaked: ${haystack}`);
  await page.close();
});

test("the shipped callback page hands a redirect return on to the return page, never dropping it", async () => {
  const page = await env.browser.newPage();
  await page.goto(`${env.tenant.app}/pkg/callback.html?code=c0de&state=st4te&iss=x`);
  await page.waitForURL(`${env.tenant.app}/?**`);
  const url = new URL(await page.url());
  const referers = (await env.tenant.requests()).map((r) => r.referer).filter(Boolean);
  assert.equal(url.pathname, "/");
  assert.deepEqual([url.searchParams.get("code"), url.searchParams.get("state"), url.searchParams.get("iss")], ["c0de", "st4te", "x"]);
  assert.ok(!referers.some((r) => r.includes("callback.html")), `the callback page's URL left as a Referer: ${referers}`);
  // A copy of the page without a return page: the response stays, and it says what to set.
  await page.goto(`${env.tenant.app}/e2e/callback-without-return.html?code=c0de&state=st4te`);
  await page.locator("#message").filter({ hasText: "no return page" }).waitFor();
  assert.match(await page.url(), /code=c0de/);
  // The demo's own callback page (its redirectUri) leaks no Referer either.
  await page.goto(`${env.tenant.app}/callback.html?code=d3mo&state=st4te`);
  await page.waitForURL(`${env.tenant.app}/?**`);
  const demoReferers = (await env.tenant.requests()).map((r) => r.referer).filter(Boolean);
  assert.ok(!demoReferers.some((r) => r.includes("callback.html")), `the demo callback page's URL left as a Referer: ${demoReferers}`);
  await page.close();
});

test("a redirect return in a tab that has an opener goes on to the return page, never to the opener", async () => {
  // "Continue in this tab" in a tab the host itself opened with window.open: the tab has
  // an opener, but the login left this tab (its state carries the redirect mark), so the
  // callback page hands the answer on instead of posting it to an opener that waits for
  // nothing.
  const page = await env.browser.newPage();
  await page.goto(`${env.tenant.app}/e2e/landing.html`);
  await page.evaluate(() => {
    window.heardFromTab = [];
    window.addEventListener("message", (e) => window.heardFromTab.push(e.data));
  });
  const state = "aal**" + "x".repeat(43);
  // Opened from a click, as a host would (a browser may block a window.open without one).
  await page.evaluate((url) => {
    const button = document.createElement("button");
    button.id = "open-tab";
    button.textContent = "Open";
    button.addEventListener("click", () => window.open(url, "host-opened-tab"));
    document.body.append(button);
  }, `${env.tenant.app}/e2e/callback-to-landing.html?code=c0de&state=${encodeURIComponent(state)}`);
  const tabPromise = page.waitForPopup();
  await page.locator("#open-tab").click();
  const tab = await tabPromise;
  await tab.waitForURL(`${env.tenant.app}/e2e/landing.html?**`);
  const url = new URL(await tab.url());
  assert.deepEqual([url.searchParams.get("code"), url.searchParams.get("state")], ["c0de", state]);
  assert.deepEqual(await page.evaluate(() => window.heardFromTab), [], "nothing was posted to the opener");
  await tab.close();
  await page.close();
});

test("with the recommended host configuration, a reload after a declined link is still the primary user", async () => {
  // The demo's default: refresh tokens kept across loads (useRefreshTokens +
  // cacheLocation localstorage).
  const { page } = await signedIn();
  await linkInPopup(page, "github", GITHUB);
  await declineThenReloadAsAlice(page);
  await page.close();
});
