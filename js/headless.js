// auth0-account-link/headless: the promise calls without the widget, for apps that draw
// their own UI. Its wasm has no Yew in it (the same session, runner and checks as the
// widget's; `mount()` and the custom element are the main entry's). Importing it loads
// nothing and touches no DOM: the glue and the wasm are fetched and compiled on first use,
// or by an explicit `init()`.
import { entry } from "./entry.js";
// What entry.js imports, named here too: the browser requests them beside entry.js instead
// of after it (one module level less before `init()` can start; the same module instances).
import "./events.js";
import "./popup.js";
import "./locales.js";

export { isRedirectReturn, isAccountLinkError } from "./entry.js";

const api = entry({
  wasmFile: "auth0_account_link_headless_bg.wasm",
  wasmUrl: () => new URL("auth0_account_link_headless_bg.wasm", import.meta.url),
  importGlue: () => import("./auth0_account_link_headless.js"),
});

/** Fetches and compiles the headless wasm (once). Optional: every call does it on first use. */
export default function init(options) {
  return api.init(options);
}

export const { createAccountLink, linkWithPopup, listIdentities, unlink, resumeRedirect } = api;
