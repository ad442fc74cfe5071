// No bundler, no framework: the element from the unpacked package, a token from
// auth0-spa-js (served by the dev tenant), and the events it sends.
import "./auth0-account-link/element.js";

const config = await (await fetch("/config.json")).json();
const { createAuth0Client } = await import(config.spaJs);
const client = await createAuth0Client({
  domain: config.domain,
  clientId: config.clientId,
  authorizationParams: {
    redirect_uri: `${window.location.origin}/`,
    audience: `${config.domain}/api/v2/`,
    scope: "openid profile email read:current_user update:current_user_identities",
  },
});
const status = document.getElementById("status");
if (await client.isAuthenticated()) {
  const widget = document.getElementById("widget");
  for (const name of ["account-link:linked", "account-link:unlinked", "account-link:error"]) {
    widget.addEventListener(name, (e) => {
      const li = document.createElement("li");
      li.textContent = `${name} ${e.detail.code ?? e.detail.identities.length}`;
      document.getElementById("events").append(li);
    });
  }
  widget.setAttribute("domain", config.domain);
  widget.setAttribute("client-id", config.clientId);
  widget.getAccessToken = () => client.getTokenSilently();
  status.textContent = "Signed in.";
} else {
  status.textContent = "Sign in on the demo page first.";
}
