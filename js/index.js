// auth0-account-link: the package entry (ES module, no bare imports). Importing it loads
// nothing and touches no DOM (it is safe in Node and server rendering): the glue and the
// wasm are fetched and compiled on first use — `mount`, a headless call, the element — or
// by an explicit `init()`.
import { loadMessages } from "./locales.js";
import { reportError, own } from "./events.js";
import { entry, withCatalogs } from "./entry.js";
// entry.js imports it too: named here, the browser requests it beside entry.js (one module
// level less before `init()` can start).
import "./popup.js";

export { loadMessages, LOCALES } from "./locales.js";

export { isRedirectReturn, isAccountLinkError } from "./entry.js";

const api = entry({
  wasmFile: "auth0_account_link_bg.wasm",
  /** Where the wasm is by default: next to this module. (A literal, as bundlers need to
   *  see it — `new URL("…", import.meta.url)` — to emit the file and rewrite the URL.) */
  wasmUrl: () => new URL("auth0_account_link_bg.wasm", import.meta.url),
  importGlue: () => import("./auth0_account_link.js"),
});

/**
 * Fetches and compiles the wasm (once; later calls return the same promise). Optional:
 * every entry point calls it on first use. `options.module_or_path` overrides where the
 * `.wasm` comes from (by default next to this module).
 */
export default function init(options) {
  return api.init(options);
}

export const { createAccountLink, linkWithPopup, listIdentities, unlink, resumeRedirect } = api;

/** The handle `mount` returns while the wasm loads: it mounts once loaded, keeping the
 *  latest options given to `update`, and mounts nothing after `unmount`. */
class PendingHandle {
  #handle = null;
  #options;
  #gone = false;
  #failed = null;

  constructor(element, options) {
    this.#options = options;
    api.init().then(
      () => {
        if (this.#gone) return;
        try {
          this.#handle = api.glue().mount(element, withCatalogs(this.#options));
        } catch (error) {
          reportError(element, this.#options, error);
        }
      },
      (error) => {
        if (this.#gone) return;
        reportError(element, this.#options, error);
        this.#showLoadFailure(element, error);
      },
    );
  }

  /** The widget's own area says that it cannot work here (the host's and the developer's
   *  details went to the events and `onError`): the sentence a host gave for
   *  `error.config_invalid`, else the locale's, else English. Text only. */
  async #showLoadFailure(element, error) {
    const options = this.#options;
    const locale = own(options, "locale");
    const given = own(own(options, "messages"), "error.config_invalid");
    const catalog = typeof given === "string" || typeof locale !== "string" ? undefined : await loadMessages(locale).catch(() => undefined);
    if (this.#gone || typeof element?.append !== "function") return;
    const section = document.createElement("section");
    section.className = "aal aal-load-failed";
    if (catalog && typeof locale === "string") section.lang = locale;
    const notice = document.createElement("p");
    notice.className = "aal-notice aal-error";
    notice.dataset.code = error.code;
    notice.setAttribute("role", "alert");
    notice.textContent = typeof given === "string" ? given : (catalog?.["error.config_invalid"] ?? error.userMessage);
    section.append(notice);
    element.append(section);
    this.#failed = section;
  }

  update(options) {
    if (this.#handle) this.#handle.update(options);
    else this.#options = options;
  }

  unmount() {
    this.#gone = true;
    this.#handle?.unmount();
    this.#handle = null;
    this.#failed?.remove();
    this.#failed = null;
  }
}

/**
 * Renders the widget into `element` and returns its handle. Once the wasm is loaded, wrong
 * options throw `config_invalid`; before that, `mount` returns at once and reports them as
 * an `account-link:error` event (and through `onError`). The `locale`'s catalog loads on
 * demand from the package's `locales/` unless the options bring their own `loadMessages`.
 */
export function mount(element, options) {
  return api.loaded() ? api.glue().mount(element, withCatalogs(options)) : new PendingHandle(element, options);
}
