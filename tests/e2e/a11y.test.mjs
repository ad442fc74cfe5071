// Accessibility end to end: axe-core (WCAG 2.1 A/AA and best practices, colour contrast
// included) on the widget in every state a user meets — ready, the confirm question,
// linking, linked, the unlink question, an error — in light and dark, left to right and
// right to left. With SCREENSHOTS_DIR set, each state is also saved as a PNG
// (scripts/screenshots writes them into docs/screenshots; Chromium only).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { useTenantAndBrowser, signInAlice, linkToBob, ROOT, BROWSER, signInInWindow } from "./support.mjs";

const AXE = readFileSync(path.join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");
const GITHUB = "github|4242";
const GOOGLE = "google-oauth2|100000000000000000001";
const SHOTS = process.env.SCREENSHOTS_DIR;

const env = useTenantAndBrowser();

/** axe-core's violations inside the widget (the demo page around it is not checked). */
async function violations(page) {
  // Through the automation protocol, so the demo's strict CSP does not block it.
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run("#account-link", {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => `${n.target.join(" ")} (${n.failureSummary.replace(/\s+/g, " ")})`).join("; ")}`);
  });
}

async function check(page, variant, state) {
  await page.waitForTimeout(250); // transitions and live regions settle
  if (SHOTS && BROWSER === "chromium" && variant !== "rtl-light") {
    mkdirSync(SHOTS, { recursive: true });
    await page.locator("#account-link").screenshot({ path: path.join(SHOTS, `${variant}-${state}.png`) });
  }
  assert.deepEqual(await violations(page), [], `${variant}, ${state}`);
}

const VARIANTS = [
  { name: "light", query: "?theme=light" },
  { name: "dark", query: "?theme=dark" },
  // "auto" following the system's dark scheme, right to left.
  { name: "rtl-auto-dark", query: "?locale=ar", colorScheme: "dark" },
  { name: "rtl-light", query: "?locale=ar&theme=light" },
];

for (const variant of VARIANTS) {
  test(`no axe violations in any state: ${variant.name}`, async () => {
    const page = await env.browser.newPage({ colorScheme: variant.colorScheme });
    await page.setViewportSize({ width: 760, height: 900 });
    await signInAlice(page, env);
    await page.goto(`${env.tenant.app}/${variant.query}`);
    await page.locator('.aal-status[data-status="ready"]').waitFor();
    await check(page, variant.name, "ready");

    // The confirm question, with the verified account (Google's holds saved settings and
    // app data: the screen says what the link discards).
    const popupPromise = page.waitForPopup();
    await page.locator('button.aal-link[data-connection="google-oauth2"]').click();
    const popup = await popupPromise;
    await popup.waitForURL(`${env.tenant.issuer}/authorize?**`);
    await signInInWindow(popup, GOOGLE);
    await page.locator(".aal-confirm .aal-discard-settings").waitFor();
    // A plain link, not a merge: the dialog is not marked as the merge screen.
    assert.equal(await page.locator(".aal-confirm.aal-merge").count(), 0);
    await check(page, variant.name, "confirm");

    // Linking: the tenant answers the link call late enough to look at it.
    await env.tenant.test("/test/misbehave", { switch: "mgmt_slow", route: "link", delay_ms: 4000 });
    await page.locator(".aal-confirm .aal-confirm-link").click();
    await page.locator('.aal-status[data-status="linking"]').waitFor();
    await check(page, variant.name, "linking");
    await page.locator('.aal-identity[data-provider="google-oauth2"]').waitFor();
    await page.locator('.aal-notice:not(.aal-error)').waitFor();
    await check(page, variant.name, "linked");

    // The unlink question; Escape answers no.
    await page.locator('.aal-identity[data-provider="google-oauth2"] .aal-unlink').click();
    await page.locator(".aal-dialog .aal-cancel").waitFor();
    await check(page, variant.name, "unlink-question");
    await page.keyboard.press("Escape");
    await page.locator(".aal-dialog").waitFor({ state: "detached" });

    // An error: the sign-in window closed before the login finished.
    await page.locator('.aal-status[data-status="ready"]').waitFor();
    const second = page.waitForPopup();
    await page.locator('button.aal-link[data-connection="github"]').click();
    const githubPopup = await second;
    // Closed at GitHub's login page (the primary's sign-in again before it answered at once).
    await githubPopup.locator(`button[data-identity="${GITHUB}"]`).waitFor();
    await githubPopup.close();
    await page.locator('.aal-notice.aal-error[data-code="popup_closed"]').waitFor();
    await check(page, variant.name, "error");
    await page.close();
  });
}

for (const variant of [VARIANTS[0], VARIANTS[2]]) {
  test(`no axe violations on the merge screen and its refusal: ${variant.name}`, async () => {
    // Bob has GitHub linked: signing in with it signs in as Bob, a whole other user.
    await linkToBob(env, "github", "4242");
    const page = await env.browser.newPage({ colorScheme: variant.colorScheme });
    await page.setViewportSize({ width: 760, height: 900 });
    await signInAlice(page, env);
    for (const [query, state] of [["&merge=allow", "merge"], ["", "merge-refused"]]) {
      await page.goto(`${env.tenant.app}/${variant.query}${query}`);
      await page.locator('.aal-status[data-status="ready"]').waitFor();
      const popupPromise = page.waitForPopup();
      await page.locator('button.aal-link[data-connection="github"]').click();
      const popup = await popupPromise;
      await popup.waitForURL(`${env.tenant.issuer}/authorize?**`);
      await signInInWindow(popup, GITHUB);
      await page.locator(state === "merge" ? ".aal-confirm.aal-merge" : '.aal-notice[data-code="secondary_has_other_logins"]').waitFor();
      await check(page, variant.name, state);
      if (state === "merge") {
        await page.locator(".aal-confirm .aal-cancel").click();
        await page.locator('.aal-notice[data-code="cancelled"]').waitFor();
      }
    }
    await page.close();
  });
}
