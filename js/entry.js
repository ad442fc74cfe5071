// What both entries of the package share (`auth0-account-link` with the Yew widget,
// `auth0-account-link/headless` without it): loading a wasm build on first use, the
// headless calls that open their window inside the click while it loads, and the pure
// helpers. Each entry hands over its own build (the `.wasm` URL and the glue's import
// stay literals in the entry itself: bundlers must see them to emit the files).
import { own } from "./events.js";
import { openLoginWindow } from "./popup.js";
import { loadMessages } from "./locales.js";

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

/** `options` with the package's catalogs as the default `loadMessages` (the `locale`'s
 *  module is imported when first asked for): every entry point's texts come from them. */
export function withCatalogs(options) {
  return options !== null && typeof options === "object" && !Object.prototype.hasOwnProperty.call(options, "loadMessages")
    ? { ...options, loadMessages }
    : options;
}

const NOTHING_OFFERED = Object.freeze({ link: false, retry: false, continueInTab: false, cancel: false, unlink: false });
/** A store's snapshot until its wasm has loaded. */
const LOADING = Object.freeze({
  status: "loading",
  statusMessage: "",
  identities: null,
  connections: Object.freeze([]),
  listing: false,
  waiting: false,
  unlinking: false,
  sessionChanged: false,
  notice: null,
  question: null,
  offers: NOTHING_OFFERED,
  last: null,
});

/**
 * The loader and the headless calls of one wasm build: `wasmFile` (its name),
 * `wasmUrl()` (where it is by default), `importGlue()` (its wasm-bindgen glue).
 */
export function entry({ wasmFile, wasmUrl, importGlue }) {
  let loading = null;
  let loaded = false;
  /** The wasm-bindgen glue's exports, once loaded. */
  let widget = null;

  /**
   * Fetches and compiles the wasm (once; later calls return the same promise). Optional:
   * every entry point calls it on first use. `options.module_or_path` overrides where the
   * `.wasm` comes from (by default next to this module).
   */
  function init(options) {
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
    const glue = await importGlue();
    return [glue, await glue.default(custom ? options : { module_or_path: response })];
  }

  /** Why the wasm did not load, with the URL tried and the usual fix. */
  function loadError(options, cause) {
    const given = options && typeof options === "object" && "module_or_path" in options ? options.module_or_path : options;
    const url = typeof given === "string" || given instanceof URL ? String(given) : given ? "(a module or buffer given to init)" : wasmUrl().href;
    const error = new Error(
      `auth0-account-link could not load its WebAssembly from ${url}: ${cause?.message ?? cause}. ` +
        "If a dev server answered that URL with a page instead of the .wasm file (Vite pre-bundles dependencies away from their files: add optimizeDeps: { exclude: [\"auth0-account-link\"] } to vite.config), " +
        `serve ${wasmFile} from the package as it is, or pass its URL: init({ module_or_path: url }).`,
      { cause },
    );
    error.name = "AccountLinkError";
    error.code = "config_invalid";
    error.actor = "developer";
    error.userMessage = "Account linking is not set up correctly on this page.";
    return error;
  }

  /**
   * Links another account through a popup. Call it from a click handler: the popup opens
   * inside the click even when the wasm is not loaded yet (it is opened blank here, then
   * handed over).
   */
  function linkWithPopup(options, params) {
    options = withCatalogs(options);
    // Loaded: the wasm opens the window itself, inside this click (nothing awaited first).
    if (loaded) return widget.linkWithPopup(options, params);
    // A call already aborted opens no window (the wasm says `cancelled`).
    if (own(params, "signal")?.aborted === true) return init().then(() => widget.linkWithPopup(options, params));
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

  function listIdentities(options, params) {
    return init().then(() => widget.listIdentities(withCatalogs(options), params));
  }

  /**
   * Unlinks `{ provider, userId }`. With `reauthenticate` (the default) the primary user
   * signs in again first, in a window opened inside the click (blank here while the wasm
   * loads, then handed over): call it from a click handler.
   */
  function unlink(options, params) {
    options = withCatalogs(options);
    // Loaded: the wasm opens the window itself, inside this click (nothing awaited first).
    if (loaded) return widget.unlink(options, params);
    if (own(options, "reauthenticate") === false) return init().then(() => widget.unlink(options, params));
    // A call already aborted opens no window (the wasm says `cancelled`).
    if (own(params, "signal")?.aborted === true) return init().then(() => widget.unlink(options, params));
    const given = own(params, "popup");
    const popup = given ?? openLoginWindow("about:blank");
    return init()
      .then(() => widget.unlink(options, popup ? { ...params, popup } : params))
      .finally(() => {
        if (!given) popup?.close();
      });
  }

  function resumeRedirect(options, params) {
    return init().then(() => widget.resumeRedirect(withCatalogs(options), params));
  }

  /**
   * The session's view as a store for an own UI: `getSnapshot()` (one frozen object per
   * change), `subscribe(listener)` (returns the unsubscribe), the actions (`link` and
   * `unlink` from a click handler, `answer`, `retry`, `cancel`, `continueInTab`, `dismiss`)
   * and `destroy()`. Usable at once: until the wasm has loaded the snapshot says `loading`.
   */
  function createAccountLink(options) {
    const listeners = new Set();
    let store = null;
    let gone = false;
    let snapshot = LOADING;
    const changed = () => {
      for (const listener of [...listeners]) listener();
    };
    const failed = (error) => {
      snapshot = Object.freeze({ ...LOADING, status: "failed", notice: Object.freeze({ kind: "error", code: error.code, error }) });
      changed();
    };
    init().then(() => {
      if (gone) return;
      try {
        store = widget.createAccountLink(withCatalogs(options));
      } catch (error) {
        failed(error);
        return;
      }
      // `undefined` while the locale's catalog loads: still `loading`.
      const take = () => {
        const next = store.getSnapshot();
        if (next === undefined || next === snapshot) return;
        snapshot = next;
        changed();
      };
      store.subscribe(take);
      take();
    }, failed);
    return Object.freeze({
      getSnapshot: () => snapshot,
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      link: (connection) => store?.link(connection),
      unlink: (identity) => store?.unlink(identity),
      answer: (question, yes) => store?.answer(question, yes === true),
      retry: () => store?.retry(),
      cancel: () => store?.cancel(),
      continueInTab: () => store?.continueInTab(),
      dismiss: () => store?.dismiss(),
      destroy() {
        gone = true;
        listeners.clear();
        store?.destroy();
        store?.free();
        store = null;
      },
    });
  }

  return {
    init,
    createAccountLink,
    linkWithPopup,
    listIdentities,
    unlink,
    resumeRedirect,
    /** The glue's exports once loaded (else null). */
    glue: () => widget,
    loaded: () => loaded,
  };
}
