// The callback page (`redirectUri`) for responseMode "query" and for "Continue in this
// tab". In the popup, it hands the authorization response to the widget in the opener
// (same origin only) and clears it from this window's URL. In a tab (the redirect
// fallback), it hands the response on to the page that resumes the link, named by
// <meta name="auth0-account-link-return" content="…"> (same origin): that page mounts the
// widget (it resumes on load) or calls resumeRedirect(). A response is never dropped: with
// no return page it stays in the URL and the page says what to set.
// Importing this module outside a browser (server rendering) does nothing.

// The mark a login that left its tab (redirect mode) puts in front of its `state` (the
// core's REDIRECT_STATE_MARK; crates/core/tests/js_copies.rs fails when the two differ).
// Such an answer goes on to the return page even in a tab that has an opener.
const REDIRECT_STATE_MARK = "aal**";

if (typeof window !== "undefined" && typeof document !== "undefined") finish();

function finish() {
  const params = new URLSearchParams(window.location.search);
  const response = {};
  // The parameters an authorization response owns (the core's CallbackResponse::PARAMETERS;
  // crates/core/tests/js_copies.rs fails when the two lists differ).
  for (const key of ["code", "state", "iss", "error", "error_description", "error_uri"]) {
    if (params.has(key)) response[key] = params.get(key);
  }
  const say = (text) => {
    const message = document.getElementById("message");
    if (message) message.textContent = text;
  };
  const leftThisTab = (response.state ?? "").startsWith(REDIRECT_STATE_MARK);
  if (window.opener && window.opener !== window && !leftThisTab) {
    window.history.replaceState(null, "", window.location.pathname);
    window.opener.postMessage({ type: "authorization_response", response }, window.location.origin);
    say("You can close this window.");
    return;
  }
  const meta = document.querySelector('meta[name="auth0-account-link-return"]');
  let target = null;
  try {
    target = meta ? new URL(meta.getAttribute("content") ?? "", window.location.href) : null;
  } catch {
    target = null;
  }
  if (target && target.origin === window.location.origin && Object.keys(response).length > 0) {
    for (const [key, value] of Object.entries(response)) target.searchParams.set(key, value);
    // replace: the response leaves this page's history entry.
    window.location.replace(target.href);
    return;
  }
  say(
    Object.keys(response).length === 0
      ? "This page finishes account linking; there is nothing to do here."
      : 'Account linking cannot continue: this page has no return page. Set <meta name="auth0-account-link-return" content="/your-page"> (same origin) to the page that shows the widget.',
  );
}
