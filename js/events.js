// How the package tells the host what happened: an `account-link:<what>` event and its
// colon-free twin `account-link-<what>` (for framework templates) on the element, and the
// matching `on<What>` option. The one copy: the wasm calls it through wasm-bindgen
// (src/js_api.rs), and the package's own JavaScript (the pending mount handle, the
// element) reports the errors it finds before the wasm runs.

/** The value of `options[name]` when it is the options object's own property. */
export function own(options, name) {
  return options !== null && typeof options === "object" && Object.prototype.hasOwnProperty.call(options, name) ? options[name] : undefined;
}

/** Dispatches the two events and calls `options.on<What>` (a throw is warned about). */
export function report(element, options, what, detail) {
  for (const name of [`account-link:${what}`, `account-link-${what}`]) {
    element.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
  const callback = own(options, `on${what[0].toUpperCase()}${what.slice(1)}`);
  if (typeof callback === "function") {
    try {
      callback(detail);
    } catch (thrown) {
      console.warn(`auth0-account-link: a host callback threw: ${thrown?.message ?? thrown}`);
    }
  }
}

/** An error's event detail: its stable fields, its message, and the error itself. */
export function errorDetail(error) {
  const detail = { code: error.code, actor: error.actor, message: error.message, userMessage: error.userMessage, error };
  if (error.reason !== undefined) detail.reason = error.reason;
  if (error.retryAfterSeconds !== undefined) detail.retryAfterSeconds = error.retryAfterSeconds;
  return detail;
}

/** Reports `error` (an `AccountLinkError`) on `element` and to `options.onError`. */
export function reportError(element, options, error) {
  report(element, options, "error", errorDetail(error));
}
