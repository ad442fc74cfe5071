// Shared e2e support: start the dev tenant (with the demo site) on free loopback ports,
// and launch the browser under test through the driver layer (driver.mjs: Debian's
// Chromium, Firefox ESR or WebKitGTK, never a downloaded browser).

import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import assert from "node:assert/strict";
import { before, after, beforeEach } from "node:test";
import { launchBrowser, BROWSER, freePort } from "./driver.mjs";

export { launchBrowser, BROWSER, freePort };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");


async function waitFor(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
      last = new Error(`${url}: ${r.status}`);
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${url}: ${last}`);
}

/** Starts target/debug/dev-tenant (built by the test command) in test mode. */
// E2E_APP_DIR serves another site (say, an older checkout's www/ with its package, to see
// a new test fail on old code).
export async function startTenant({ appDir = process.env.E2E_APP_DIR || path.join(ROOT, "www"), extraArgs = [] } = {}) {
  const binary = process.env.DEV_TENANT_BIN || path.join(ROOT, "target/debug/dev-tenant");
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run cargo build -p dev-tenant first`);
  const spaJs = path.join(ROOT, "node_modules/@auth0/auth0-spa-js/dist/auth0-spa-js.production.esm.js");
  // A port found free may be taken before the tenant binds it (by the other port asked
  // for, or by a browser's outgoing connection): a tenant that exits at start is started
  // again on new ports; its own words are in the error when it never answers.
  let child, issuer, appPort;
  const log = [];
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    do appPort = await freePort();
    while (appPort === port);
    log.length = 0;
    child = spawn(binary, ["--port", String(port), "--test-mode", "--app-dir", appDir, "--app-port", String(appPort), "--spa-js", spaJs, ...extraArgs], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr.on("data", (d) => log.push(d.toString()));
    const exited = new Promise((resolve) => child.once("exit", resolve)).then((code) => {
      throw new Error(`the dev tenant exited (${code}) at start`);
    });
    // Heard by the race below only; a tenant stopped later exits unheard.
    exited.catch(() => {});
    issuer = `http://127.0.0.1:${port}`;
    try {
      await Promise.race([waitFor(`${issuer}/.well-known/openid-configuration`, 15000), exited]);
      break;
    } catch (e) {
      child.kill("SIGTERM");
      if (attempt === 3) throw new Error(`${e.message}; its log: ${log.join("").slice(-2000) || "(empty)"}`);
    }
  }
  return {
    issuer,
    app: `http://127.0.0.1:${appPort}`,
    log,
    async test(pathname, body) {
      const r = await fetch(`${issuer}${pathname}`, {
        method: body === undefined ? "GET" : "POST",
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!r.ok) throw new Error(`${pathname}: ${r.status}`);
      return r.status === 204 ? null : r.json();
    },
    /** What the browser asked of the tenant and the app site since the last reset:
     *  `{ server, method, url, referer, grant_type, status }`, oldest first. */
    requests() {
      return this.test("/test/requests");
    },
    stop() {
      child.kill("SIGTERM");
    },
  };
}

/** One dev tenant and one browser for a test file; fixtures reset before each test. */
export function useTenantAndBrowser({ reset = true } = {}) {
  const env = { tenant: null, browser: null };
  before(async () => {
    env.tenant = await startTenant();
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    env.tenant?.stop();
  });
  if (reset) {
    beforeEach(async () => {
      await env.tenant.test("/test/reset", {});
    });
  }
  return env;
}

/** Signs Alice in on the demo (auth0-spa-js) and waits until the widget is ready. */
export async function signInAlice(page, env) {
  await page.goto(`${env.tenant.app}/`);
  // The demo keeps its tokens across loads (the recommended host configuration): start
  // each sign-in from none, whatever an earlier test left in this browser.
  if (await page.evaluate(() => localStorage.length > 0)) {
    await page.evaluate(() => localStorage.clear());
    await page.reload();
  }
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${env.tenant.issuer}/authorize?**`);
  await page.locator('button[data-identity="auth0|alice"]').click();
  await page.waitForURL(`${env.tenant.app}/**`);
  await page.locator('.aal-status[data-status="ready"]').waitFor();
}

/** With a secondary login's confirm step open on Alice's page (either demo, both keeping
 *  their tokens across loads): declines, then reloads. The tenant's session now belongs to
 *  the other account, but the page comes back as Alice's, with her own list. */
export async function declineThenReloadAsAlice(page) {
  await page.locator(".aal-confirm .aal-cancel").click();
  await page.locator('.aal-session-changed[data-code="session_changed"]').waitFor();
  await page.reload();
  await page.locator("#user").filter({ hasText: "alice@example.com" }).waitFor();
  await page.locator('.aal-status[data-status="ready"]').waitFor();
  assert.equal(await page.locator(".aal-session-changed").count(), 0, "the host kept its user");
  const rows = await page.locator(".aal-identity").evaluateAll((items) => items.map((li) => `${li.dataset.provider}|${li.dataset.userId}`));
  assert.deepEqual(rows, ["auth0|alice"], "Alice's own list, never the other account's");
  await page.evaluate(() => localStorage.clear());
}

/** Bob's back end links a login (`provider|userId`) to Bob (the server-side flow, with the
 *  demo back end's `update:users` token). */
export async function linkToBob(env, provider, userId) {
  const cc = await fetch(`${env.tenant.issuer}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ grant_type: "client_credentials", client_id: "demo-backend", client_secret: "dev-tenant-backend-secret-not-for-production", audience: `${env.tenant.issuer}/api/v2/` }),
  }).then((r) => r.json());
  const linked = await fetch(`${env.tenant.issuer}/api/v2/users/auth0%7Cbob/identities`, {
    method: "POST",
    headers: { authorization: `Bearer ${cc.access_token}`, "content-type": "application/json" },
    body: JSON.stringify({ provider, user_id: userId }),
  });
  if (linked.status !== 201) throw new Error(`linking ${provider}|${userId} to Bob: ${linked.status}`);
}

/** An example app under Vite (`vite dev`, or `vite preview` of its build with `preview`),
 *  from the example's own node_modules, against a dev tenant of its own that accepts the
 *  server's origin. */
export async function viteServer(root, config = {}, options = {}) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await viteServerOnce(root, config, options);
    } catch (e) {
      // A port chosen free can be taken by another server of the run before Vite binds
      // it (Vite then says "Port … is already in use"): choose again.
      if (attempt < 3 && /already in use|EADDRINUSE/.test(String(e?.message ?? e))) continue;
      throw e;
    }
  }
}

async function viteServerOnce(root, config, { preview = false, ownProcess = false }) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const tenant = await startTenant({ extraArgs: ["--app-origin", origin] });
  if (ownProcess) {
    // SvelteKit finds its config and output from the working directory: its own Vite
    // process, started in the example's folder, as `npm run dev` / `vite preview` would.
    const env = { ...process.env, VITE_AUTH0_DOMAIN: tenant.issuer, VITE_AUTH0_CLIENT_ID: "demo-spa-client" };
    if (preview) {
      // The tenant is part of the build (Vite inlines VITE_* variables): build for this one.
      const build = spawnSync(process.execPath, [path.join(root, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "error"], { cwd: root, env, encoding: "utf8" });
      if (build.status !== 0) {
        tenant.stop();
        throw new Error(`vite build in ${root}: ${build.stderr}`);
      }
    }
    const child = spawn(process.execPath, [path.join(root, "node_modules/vite/bin/vite.js"), ...(preview ? ["preview"] : []), "--host", "127.0.0.1", "--port", String(port), "--strictPort"], {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
      env,
    });
    const log = [];
    child.stderr.on("data", (d) => log.push(d.toString()));
    await waitFor(`${origin}/`, 30000).catch((e) => {
      child.kill("SIGTERM");
      tenant.stop();
      throw new Error(`${e.message}\n${log.join("")}`);
    });
    return {
      origin,
      tenant,
      async stop() {
        child.kill("SIGTERM");
        tenant.stop();
      },
    };
  }
  const vite = await import(pathToFileURL(path.join(root, "node_modules/vite/dist/node/index.js")).href);
  process.env.VITE_AUTH0_DOMAIN = tenant.issuer;
  process.env.VITE_AUTH0_CLIENT_ID = "demo-spa-client";
  const options = {
    root,
    logLevel: "error",
    server: { host: "127.0.0.1", port, strictPort: true },
    preview: { host: "127.0.0.1", port, strictPort: true },
    // A pre-bundle cache of its own: runs may bundle differently.
    cacheDir: path.join(root, `node_modules/.vite-e2e-${port}`),
    ...config,
  };
  let server;
  try {
    server = preview ? await vite.preview(options) : await vite.createServer(options);
    if (!preview) await server.listen();
  } catch (e) {
    await server?.close();
    tenant.stop();
    throw e;
  }
  return {
    origin,
    tenant,
    async stop() {
      await (preview ? server.close() : server.close());
      tenant.stop();
    },
  };
}

/** Signs Alice in on an example app served at `origin` (its own Sign in button). */
export async function signInOnTheExample(page, origin) {
  await page.goto(`${origin}/`);
  await page.locator("#sign-in").click({ timeout: 30000 });
  await page.locator('button[data-identity="auth0|alice"]').click();
  await page.waitForURL(`${origin}/**`);
  await page.locator("h1").filter({ hasText: "Signed in as Alice" }).waitFor({ timeout: 30000 });
}

const CONFIRM_PAGE = 'h1[data-reauthenticate="true"]';

/** In the widget's login window: first, when the tenant asks the signed-in user to confirm
 *  it is them (the dev tenant's "Confirm it's you" page, the hinted account), that account
 *  signs in (`again`: "hinted", or another fixture identity to sign in as someone else);
 *  then `identity`, the account to link. Returns the URL of the login page `identity` was
 *  chosen on, and whether the window asked first. A recent session asks nothing: the
 *  window goes straight on to the account to link. */
export async function signInInWindow(popup, identity, { again = "hinted" } = {}) {
  const target = `button[data-identity="${identity}"]`;
  let asked = false;
  await popup.locator(`${target}, ${CONFIRM_PAGE}`).first().waitFor();
  if (await popup.locator(CONFIRM_PAGE).count() > 0) {
    asked = true;
    const choice = again === "hinted" ? 'button[data-hinted="true"]' : `button[data-identity="${again}"]`;
    await popup.locator(choice).click();
    if (again !== "hinted") return { url: null, asked };
    await popup.locator(`${target}:not([data-hinted])`).first().waitFor();
  }
  const url = new URL(await popup.url());
  await popup.locator(target).click();
  return { url, asked };
}

/** Clicks a connection button inside `scope`, signs `identity` in in the popup, confirms,
 *  and waits for the new row. */
export async function linkThrough(page, scope, connection, identity) {
  const popupPromise = page.waitForPopup();
  await page.locator(`${scope} button.aal-link[data-connection="${connection}"]`).click();
  const popup = await popupPromise;
  await signInInWindow(popup, identity);
  await page.locator(`${scope} .aal-confirm .aal-confirm-link`).click();
  await page.locator(`${scope} .aal-identity[data-provider="${connection}"]`).waitFor();
}
