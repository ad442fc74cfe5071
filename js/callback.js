// The callback page for responseMode "query": hands the authorization response to the
// widget in the opener (same origin only), then clears it from this window's URL.
const params = new URLSearchParams(window.location.search);
const response = {};
// The parameters an authorization response owns (the core's CallbackResponse::PARAMETERS;
// crates/core/tests/js_copies.rs fails when the two lists differ).
for (const key of ["code", "state", "iss", "error", "error_description", "error_uri"]) {
  if (params.has(key)) response[key] = params.get(key);
}
window.history.replaceState(null, "", window.location.pathname);
if (window.opener && window.opener !== window) {
  window.opener.postMessage({ type: "authorization_response", response }, window.location.origin);
  document.getElementById("message").textContent = "You can close this window.";
} else {
  document.getElementById("message").textContent = "This page finishes account linking in a popup; there is nothing to do here.";
}
