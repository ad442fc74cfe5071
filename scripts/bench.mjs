// Timings of the widget in headless Chromium against the dev tenant (loopback), over N
// runs: wasm init, mount → ready (token pre-flight + PKCE prepared), click → popup on the
// login page, login → confirm shown (token exchange + JWKS + WebCrypto verification),
// confirm → linked (the link request). Medians and ranges, written to docs/benchmarks.md.
// Usage: node scripts/bench.mjs [runs] [--write docs/benchmarks.md]   (after build-package)
import { readFileSync, writeFileSync } from "node:fs";
import { startTenant, launchBrowser } from "../tests/e2e/support.mjs";

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 10);
const writeIndex = args.indexOf("--write");
const out = writeIndex >= 0 ? args[writeIndex + 1] : null;

const tenant = await startTenant();
const browser = await launchBrowser();
const samples = { init: [], ready: [], popup: [], verify: [], link: [] };
try {
  const page = await browser.context.newPage();
  // The secondary login in the popup starts a tenant session of its own (as Auth0's
  // prompt=login does), so each run signs Alice in again first (not measured).
  const signInAlice = async () => {
    await page.goto(`${tenant.issuer}/v2/logout`);
    await page.goto(`${tenant.app}/`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator('button[data-identity="auth0|alice"]').click();
    await page.waitForURL(`${tenant.app}/**`);
    await page.locator('.aal-status[data-status="ready"]').waitFor();
  };
  for (let i = 0; i < runs; i++) {
    await signInAlice();
    // A fresh page load each run: wasm init and mount are measured cold (HTTP cache on).
    await page.goto(`${tenant.app}/blank.html?run=${i}`);
    const t = await page.evaluate(async () => {
      const widget = await import("/pkg/index.js");
      const t0 = performance.now();
      await widget.default();
      const t1 = performance.now();
      const host = document.createElement("div");
      document.body.append(host);
      const config = await (await fetch("/config.json")).json();
      const token = await (await import(config.spaJs)).createAuth0Client({
        domain: config.domain,
        clientId: config.clientId,
        authorizationParams: { redirect_uri: `${location.origin}/`, audience: `${config.domain}/api/v2/`, scope: "openid profile email read:current_user update:current_user_identities" },
      });
      await token.getTokenSilently();
      const t2 = performance.now();
      window.benchHandle = widget.mount(host, { domain: config.domain, clientId: config.clientId, getAccessToken: () => token.getTokenSilently(), connections: [{ name: "google-oauth2" }] });
      host.id = "bench-host";
      await new Promise((resolve) => {
        const check = () => (host.querySelector('.aal-status[data-status="ready"]') ? resolve() : setTimeout(check, 2));
        check();
      });
      return { init: t1 - t0, ready: performance.now() - t2 };
    });
    samples.init.push(t.init);
    samples.ready.push(t.ready);
    const host = page.locator("#bench-host");
    const popupPromise = page.waitForEvent("popup");
    const clickAt = Date.now();
    await host.locator('button.aal-link[data-connection="google-oauth2"]').click();
    const popup = await popupPromise;
    const choice = popup.locator('button[data-identity="google-oauth2|100000000000000000001"]');
    await choice.waitFor();
    samples.popup.push(Date.now() - clickAt);
    const loginAt = Date.now();
    await choice.click();
    await host.locator(".aal-confirm").waitFor();
    samples.verify.push(Date.now() - loginAt);
    const confirmAt = Date.now();
    await host.locator(".aal-confirm-link").click();
    await host.locator('.aal-identity[data-provider="google-oauth2"]').waitFor();
    samples.link.push(Date.now() - confirmAt);
    // Unlink again (not measured) so that the next run links the same account.
    await host.locator('.aal-identity[data-provider="google-oauth2"] .aal-unlink').click();
    await host.locator(".aal-confirm-unlink").click();
    await host.locator('.aal-identity[data-provider="google-oauth2"]').waitFor({ state: "detached" });
  }
} finally {
  await browser.close();
  tenant.stop();
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return `${median.toFixed(1)} ms (${s[0].toFixed(1)}–${s[s.length - 1].toFixed(1)})`;
};
const rows = [
  ["wasm init (`await init()`)", samples.init],
  ["mount → ready (list identities, token pre-flight, PKCE via WebCrypto)", samples.ready],
  ["click → popup shows the login page", samples.popup],
  ["login → confirm shown (token exchange, JWKS, RS256 via WebCrypto)", samples.verify],
  ["confirm → linked (POST …/identities, list updated)", samples.link],
];
const report = [
  `${runs} runs, headless Chromium, dev tenant on loopback; median (min–max).`,
  "",
  "| step | time |",
  "|---|---:|",
  ...rows.map(([name, xs]) => `| ${name} | ${stats(xs)} |`),
  "",
].join("\n");
console.log(report);
if (out) {
  const doc = readFileSync(out, "utf8");
  const [head, rest] = doc.split("<!-- bench:start -->");
  const tail = rest.split("<!-- bench:end -->")[1];
  writeFileSync(out, `${head}<!-- bench:start -->\n${report}<!-- bench:end -->${tail}`);
  console.log(`bench: wrote ${out}`);
}
