// The auth0-spa-js client of the demo's side pages (the headless page, the own-UI pages):
// the tenant from /config.json, the primary user's Management API token (audience
// /api/v2/, read:current_user update:current_user_identities), the session the main demo
// page signed in.
export async function primaryClient() {
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
  return { config, client };
}
