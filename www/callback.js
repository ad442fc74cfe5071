// The demo's callback page (redirectUri). In a popup (responseMode "query") the package's
// callback script hands the response to the opener; after a full-page redirect (the
// fallback when the popup was blocked) the host page resumes the link.
if (window.opener && window.opener !== window) {
  await import("/pkg/callback.js");
} else {
  const params = new URLSearchParams(window.location.search);
  // A page of this demo may ask to be the one that resumes (the headless page's
  // resumeRedirect); otherwise the main page resumes.
  const returnTo = sessionStorage.getItem("demo:return-to");
  if (returnTo) {
    sessionStorage.removeItem("demo:return-to");
    window.location.replace(`${returnTo}&${params}`);
  } else {
    window.location.replace(`/?${params}`);
  }
}
