// The example app: its user signs in with auth0-spa-js (from npm), then links accounts
// twice over — with a Vue component around mount() and with the custom element.
import { createApp } from "vue";
import { createAuth0Client } from "@auth0/auth0-spa-js";
import "auth0-account-link/element";
import "auth0-account-link/auth0-account-link.css";
import App from "./App.vue";

/** The tenant: from VITE_AUTH0_* under `vite dev`, else the dev tenant's /config.json. */
async function tenant(): Promise<{ domain: string; clientId: string }> {
  const env = import.meta.env;
  if (env.VITE_AUTH0_DOMAIN) return { domain: env.VITE_AUTH0_DOMAIN, clientId: env.VITE_AUTH0_CLIENT_ID };
  return (await fetch("/config.json")).json();
}

async function main() {
  const config = await tenant();
  const client = await createAuth0Client({
    domain: config.domain,
    clientId: config.clientId,
    authorizationParams: {
      redirect_uri: new URL(".", window.location.href).href,
      audience: `${config.domain}/api/v2/`,
      scope: "openid profile email read:current_user update:current_user_identities",
    },
  });
  const query = new URLSearchParams(window.location.search);
  if (query.has("code") && query.has("state")) {
    await client.handleRedirectCallback();
    window.history.replaceState({}, document.title, window.location.pathname);
  }
  createApp(App, { client, config }).mount("#app");
}

main();
