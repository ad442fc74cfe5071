// The demo's callback page (redirectUri). In a popup (responseMode "query") the package's
// callback script hands the response to the opener; after a full-page redirect (the
// fallback when the popup was blocked) the host page resumes the link.
if (window.opener && window.opener !== window) {
  await import("/pkg/callback.js");
} else {
  const params = new URLSearchParams(window.location.search);
  params.set("link-return", "1");
  window.location.replace(`/?${params}`);
}
