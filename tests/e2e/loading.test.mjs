// How a page loads the package: every file once (the glue imports the package's own
// events.js and popup.js, not copies of them under snippets/), and the .wasm once, with
// the type the browser compiles as it streams.

import { test } from "node:test";
import assert from "node:assert/strict";
import { useTenantAndBrowser, signInAlice } from "./support.mjs";

const env = useTenantAndBrowser();

test("the demo loads each package file once, no snippets/ copies, the wasm as application/wasm", async () => {
  const page = await env.browser.newPage();
  // The signed-out demo loads no widget; the sign-in's return is the first page that does.
  await signInAlice(page, env);
  const requests = await env.tenant.requests();
  // From the sign-in's return (`/?code=…`) on: that page's own requests.
  const back = requests.findLastIndex((r) => r.server === "app" && new URL(r.url).searchParams.has("code"));
  assert.ok(back >= 0, "the sign-in returned to the demo");
  const pkg = requests
    .slice(back)
    .filter((r) => r.server === "app" && r.method === "GET" && new URL(r.url).pathname.startsWith("/pkg/"))
    .map((r) => new URL(r.url).pathname);
  assert.ok(pkg.includes("/pkg/index.js"), pkg.join("\n"));
  assert.deepEqual(pkg.filter((p) => p.includes("/snippets/")), [], "no copies under snippets/");
  // (One events.js and one popup.js: the module instance the wasm calls into is the entry's.)
  const twice = [...new Set(pkg.filter((p, i) => pkg.indexOf(p) !== i))];
  assert.deepEqual(twice, [], "each file fetched once");
  assert.equal(pkg.filter((p) => p.endsWith(".wasm")).length, 1);
  const type = await page.evaluate(async () => (await fetch("/pkg/auth0_account_link_bg.wasm", { method: "HEAD" })).headers.get("content-type"));
  assert.equal(type, "application/wasm");
  await page.close();
});
