// Errors the package's JavaScript finds itself (the wasm was still loading, or mount threw
// for the custom element), told the way the widget tells its own: an `account-link:error`
// event and its colon-free twin `account-link-error`, and the `onError` option.

/** Dispatches the error events on `element` and calls `options.onError`. */
export function reportError(element, options, error) {
  const detail = { code: error.code, actor: error.actor, message: error.message, userMessage: error.userMessage, error };
  for (const name of ["account-link:error", "account-link-error"]) {
    element.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
  if (typeof options?.onError === "function") options.onError(detail);
}
