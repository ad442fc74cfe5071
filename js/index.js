// auth0-account-link: the package entry (ES module, no bare imports). Importing it loads
// nothing and touches no DOM (it is safe in Node and server rendering): the glue and the
// wasm are fetched and compiled on first use — `mount`, a headless call, the element — or
// by an explicit `init()`.
import { loadMessages } from "./locales.js";
import { reportError, own } from "./events.js";
import { openLoginWindow } from "./popup.js";

export { loadMessages, LOCALES } from "./locales.js";

const WASM_FILE = "auth0_account_link_bg.wasm";
/** Where the wasm is by default: next to this module. (A literal, as bundlers need to see
 *  it — `new URL("…", import.meta.url)` — to emit the file and rewrite the URL.) */
const wasmUrl = () => new URL("auth0_account_link_bg.wasm", import.meta.url);
let loading = null;
let loaded = false;
/** The wasm-bindgen glue's exports, once loaded. */
let widget = null;

/**
 * Fetches and compiles the wasm (once; later calls return the same promise). Optional:
 * every entry point calls it on first use. `options.module_or_path` overrides where the
 * `.wasm` comes from (by default next to this module).
 */
export default function init(options) {
  if (!loading) {
    loading = load(options).then(
      ([glue, exports]) => {
        widget = glue;
        loaded = true;
        return exports;
      },
      (cause) => {
        loading = null;
        throw loadError(options, cause);
      },
    );
  }
  return loading;
}

/**
 * The glue and the wasm side by side: the `.wasm` request starts beside the glue's, not
 * after the glue has loaded (a module level earlier), and the glue compiles it from the
 * response as it streams in (`application/wasm`). A `module_or_path` of the caller's goes
 * to the glue as given.
 */
async function load(options) {
  // No options, or a plain object without `module_or_path`: the package's own wasm.
  const plain = options !== null && typeof options === "object" && Object.getPrototypeOf(options) === Object.prototype;
  const custom = options !== undefined && !(plain && options.module_or_path === undefined);
  let response;
  if (!custom) {
    response = fetch(wasmUrl());
    // Awaited by the glue below; until then a failed request is not "unhandled".
    response.catch(() => {});
  }
  const glue = await import("./auth0_account_link.js");
  return [glue, await glue.default(custom ? options : { module_or_path: response })];
}

/** Why the wasm did not load, with the URL tried and the usual fix. */
function loadError(options, cause) {
  const given = options && typeof options === "object" && "module_or_path" in options ? options.module_or_path : options;
  const url = typeof given === "string" || given instanceof URL ? String(given) : given ? "(a module or buffer given to init)" : wasmUrl().href;
  const error = new Error(
    `auth0-account-link could not load its WebAssembly from ${url}: ${cause?.message ?? cause}. ` +
      "If a dev server answered that URL with a page instead of the .wasm file (Vite pre-bundles dependencies away from their files: add optimizeDeps: { exclude: [\"auth0-account-link\"] } to vite.config), " +
      `serve ${WASM_FILE} from the package as it is, or pass its URL: init({ module_or_path: url }).`,
    { cause },
  );
  error.name = "AccountLinkError";
  error.code = "config_invalid";
  error.actor = "developer";
  error.userMessage = "Account linking is not set up correctly on this page.";
  return error;
}

// What every `state` the widget sends starts with (the core's STATE_MARK;
// crates/core/tests/js_copies.rs fails when the two differ).
const STATE_MARK = "aal*";

/** Whether `search` (by default this page's query) is the answer to a login of this
 *  widget — a redirect return the widget resumes, which a host SDK must leave alone
 *  (auth0-react, auth0-vue, auth0-angular: `skipRedirectCallback`). Reads the URL only. */
export function isRedirectReturn(search) {
  const query = search ?? (typeof window === "undefined" ? "" : window.location.search);
  const state = new URLSearchParams(query).get("state");
  return state !== null && state.startsWith(STATE_MARK);
}

/** Whether `value` is an error from this package (it has a stable `code`). */
export function isAccountLinkError(value) {
  return value instanceof Error && value.name === "AccountLinkError" && typeof value.code === "string";
}

function withCatalogs(options) {
  return options !== null && typeof options === "object" && !Object.prototype.hasOwnProperty.call(options, "loadMessages")
    ? { ...options, loadMessages }
    : options;
}

/** The handle `mount` returns while the wasm loads: it mounts once loaded, keeping the
 *  latest options given to `update`, and mounts nothing after `unmount`. */
class PendingHandle {
  #handle = null;
  #options;
  #gone = false;
  #failed = null;

  constructor(element, options) {
    this.#options = options;
    init().then(
      () => {
        if (this.#gone) return;
        try {
          this.#handle = widget.mount(element, withCatalogs(this.#options));
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
  return loaded ? widget.mount(element, withCatalogs(options)) : new PendingHandle(element, options);
}

/**
 * Links another account through a popup. Call it from a click handler: the popup opens
 * inside the click even when the wasm is not loaded yet (it is opened blank here, then
 * handed over).
 */
export function linkWithPopup(options, params) {
  if (loaded) return widget.linkWithPopup(options, params);
  // A window the host opened itself is used as it is; else one is opened blank here,
  // inside the click, and handed to the wasm once it has loaded.
  const given = own(params, "popup");
  const popup = given ?? openLoginWindow("about:blank");
  return init()
    .then(() => widget.linkWithPopup(options, popup ? { ...params, popup } : params))
    .finally(() => {
      if (!given) popup?.close();
    });
}

export function listIdentities(options) {
  return init().then(() => widget.listIdentities(options));
}

/**
 * Unlinks `{ provider, userId }`. With `reauthenticate` (the default) the primary user
 * signs in again first, in a window opened inside the click (blank here while the wasm
 * loads, then handed over): call it from a click handler.
 */
export function unlink(options, params) {
  if (loaded || own(options, "reauthenticate") === false) return init().then(() => widget.unlink(options, params));
  const given = own(params, "popup");
  const popup = given ?? openLoginWindow("about:blank");
  return init()
    .then(() => widget.unlink(options, popup ? { ...params, popup } : params))
    .finally(() => {
      if (!given) popup?.close();
    });
}

export function resumeRedirect(options, params) {
  return init().then(() => widget.resumeRedirect(options, params));
}
