// The demo host page: a realistic SPA whose primary user signs in with an unmodified
// auth0-spa-js (served by the dev tenant) and reads its identities from the Management
// API with a user-scoped token. Everything is rendered with textContent.

const $ = (id) => document.getElementById(id);

function logEvent(text) {
  const li = document.createElement("li");
  li.textContent = `${new Date().toISOString().slice(11, 19)} ${text}`;
  $("events").append(li);
}

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

function renderIdentities(identities) {
  const list = $("identities");
  list.replaceChildren();
  identities.forEach((identity, index) => {
    const li = document.createElement("li");
    li.dataset.provider = identity.provider;
    li.dataset.userId = identity.user_id;
    const provider = document.createElement("span");
    provider.className = "provider";
    provider.textContent = identity.provider;
    const who = document.createElement("span");
    const profile = identity.profileData || {};
    who.textContent = `${identity.connection} · ${profile.email || profile.name || identity.user_id}${index === 0 ? " (primary)" : ""}`;
    li.append(provider, who);
    list.append(li);
  });
}

/** The primary user's saved settings (`user_metadata`), as the Management API returns them. */
function renderSettings(settings) {
  const keys = Object.keys(settings ?? {});
  $("settings").textContent = keys.length
    ? keys.map((k) => `${k}=${JSON.stringify(settings[k])}`).join(", ")
    : "(none)";
}

async function main() {
  // Query options kept for this tab, read before anything is awaited (a navigation may
  // follow at once):
  // `?tokenCache=localstorage`: auth0-spa-js keeps its tokens across page loads, which
  // the redirect fallback needs.
  // `?host=sdk-defaults`: auth0-spa-js's defaults (memory cache, renewal through the
  // tenant's session), to show the widget's recovery when the session becomes the other
  // account. Otherwise the demo runs the host configuration the guide recommends
  // (docs/sessions-and-custom-domains.md): refresh tokens (with Refresh Token Rotation)
  // kept across page loads, so the host keeps its user whatever the tenant's session
  // becomes.
  for (const [param, key] of [["tokenCache", "demo:tokenCache"], ["host", "demo:host"]]) {
    const given = new URLSearchParams(window.location.search).get(param);
    if (given) sessionStorage.setItem(key, given);
  }
  const theme = new URLSearchParams(window.location.search).get("theme");
  if (theme === "dark" || theme === "light") document.documentElement.dataset.theme = theme;
  const config = await (await fetch("/config.json")).json();
  const { createAuth0Client } = await import(config.spaJs);
  const audience = `${config.domain}/api/v2/`;
  // `?tokenCache=localstorage` (kept for this tab): auth0-spa-js keeps its tokens across
  // page loads, which the redirect fallback needs. The secondary login replaces the
  // tenant's session; without such a cache, the page it returns to would silently renew
  // its token as the other account, and the widget refuses that token (user_mismatch).
  const recommended = sessionStorage.getItem("demo:host") !== "sdk-defaults";
  const cacheLocation = recommended || sessionStorage.getItem("demo:tokenCache") === "localstorage" ? "localstorage" : "memory";
  const client = await createAuth0Client({
    domain: config.domain,
    clientId: config.clientId,
    cacheLocation,
    useRefreshTokens: recommended,
    authorizationParams: {
      redirect_uri: `${window.location.origin}/`,
      audience,
      // update:current_user_metadata: with ?metadata=merge the widget writes the linked
      // account's saved settings to this user before the link.
      scope: "openid profile email read:current_user update:current_user_identities update:current_user_metadata",
    },
  });

  const query = new URLSearchParams(window.location.search);
  // A redirect return of the widget's (its redirectUri /callback.html hands it on here) is
  // the widget's to resume; auth0-spa-js consumes only its own (docs/real-tenant.md shows
  // the same with auth0-react, auth0-vue and auth0-angular).
  // (The package's entry loads no wasm: importing it here costs a small module.)
  const { isRedirectReturn } = await import("/pkg/index.js");
  const widgetReturn = isRedirectReturn(window.location.search);
  if (query.has("code") && query.has("state") && !widgetReturn) {
    await client.handleRedirectCallback();
    window.history.replaceState({}, document.title, window.location.pathname);
    logEvent("primary sign-in completed");
  } else if (query.has("error")) {
    setStatus(`Sign-in failed: ${query.get("error_description") || query.get("error")}`, true);
  }

  $("sign-in").addEventListener("click", () => client.loginWithRedirect());
  $("sign-out").addEventListener("click", () => client.logout({ logoutParams: { returnTo: `${window.location.origin}/` } }));

  async function loadIdentities(fresh) {
    // cacheMode "off" asks the tenant again (prompt=none in a hidden iframe).
    const token = await client.getTokenSilently(fresh ? { cacheMode: "off" } : {});
    const user = await client.getUser();
    const response = await fetch(`${audience}users/${encodeURIComponent(user.sub)}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const body = await response.json();
    if (!response.ok) {
      throw new Error(`${response.status} ${body.message || ""}`);
    }
    renderIdentities(body.identities);
    renderSettings(body.user_metadata);
    logEvent(`read ${body.identities.length} identities (${fresh ? "fresh token" : "cached token"})`);
  }

  async function mountWidget() {
    const widget = await import("/pkg/index.js");
    await widget.default();
    const host = $("account-link");
    for (const name of ["account-link:linked", "account-link:unlinked", "account-link:error"]) {
      host.addEventListener(name, (event) => {
        const d = event.detail;
        const linked = d.secondaryUserId ? ` secondary=${d.secondaryUserId}` : "";
        const carried = d.carriedUserMetadata ? ` carried=${d.carriedUserMetadata.join(",")}` : "";
        logEvent(`${name} ${d.code ? `code=${d.code}${d.reason ? ` reason=${d.reason}` : ""}` : `identities=${d.identities.length}${linked}${carried}`}`);
        if (d.identities) renderIdentities(d.identities);
        if (d.userMetadata) renderSettings(d.userMetadata);
        // The tenant's session now belongs to the secondary account: offer the way back
        // instead of silently becoming that account on the next token renewal.
        if (d.code === "session_changed") $("session-changed").hidden = false;
      });
    }
    const params = new URLSearchParams(window.location.search);
    const options = {
      domain: config.domain,
      clientId: config.clientId,
      getAccessToken: () => client.getTokenSilently(),
      connections: [
        { name: "google-oauth2", label: "Google" },
        { name: "github", label: "GitHub" },
        { name: "Username-Password-Authentication", label: "Email and password" },
      ],
      redirectUri: `${window.location.origin}/callback.html`,
      responseMode: params.get("responseMode") || undefined,
      popupTimeoutSeconds: params.has("popupTimeout") ? Number(params.get("popupTimeout")) : undefined,
      // ?locale=de (or fr, es, ja, ar) loads that catalog on demand; ?theme=dark|light.
      locale: params.get("locale") || undefined,
      theme: params.get("theme") || undefined,
      // The page's sections are h2: the widget's title sits below them.
      headingLevel: 3,
      // ?merge=allow: a sign-in that is an existing user with other logins is offered as a
      // merge (its logins, what does not move) instead of refused.
      allowMerge: params.get("merge") === "allow",
      // ?metadata=merge: the linked account's saved settings (Google's theme, newsletter…)
      // are written to this user before the link, where this user has none of its own
      // (otherwise the confirm screen says the link discards them).
      // ?metadata=host: the page decides: the linked account's theme, everything else this
      // user's own.
      carryUserMetadata: params.get("metadata") === "merge"
        ? "primary-wins"
        : params.get("metadata") === "host"
          ? (primary, secondary) => {
            logEvent(`carryUserMetadata primary=${Object.keys(primary).sort()} secondary=${Object.keys(secondary).sort()}`);
            return { ...primary, theme: secondary.theme };
          }
          : undefined,
      // ?reauth=off: only the secondary account signs in (the default asks the signed-in
      // user to sign in again first unless their sign-in is under 10 minutes old);
      // ?reauthMaxAge=N: another bound, in seconds.
      reauthenticate: params.get("reauth") === "off" ? false : undefined,
      reauthenticateMaxAgeSeconds: params.has("reauthMaxAge") ? Number(params.get("reauthMaxAge")) : undefined,
      // ?policy=no-github: the host's own rule, asked after the user confirms and before
      // the link call; a sentence stops the link and is shown to the user.
      beforeLink: params.get("policy") === "no-github"
        ? async (profile) => {
          logEvent(`beforeLink ${profile.provider} ${profile.email ?? ""}${profile.merge ? ` merge ${profile.merge.userId}` : ""}`);
          return profile.provider === "github" ? "This site does not accept GitHub accounts." : true;
        }
        : undefined,
    };
    // Kept on `window.demo` so the console (and the tests) can try handle.update().
    return { handle: widget.mount(host, options), options };
  }

  if (await client.isAuthenticated()) {
    const user = await client.getUser();
    $("user").hidden = false;
    $("user").textContent = `Signed in as ${user.name} <${user.email}>`;
    $("sign-out").hidden = false;
    $("sign-in-again").textContent = `Sign in again as ${user.email}`;
    $("sign-in-again").addEventListener("click", () =>
      client.loginWithRedirect({ authorizationParams: { login_hint: user.email, prompt: "login" } }));
    $("refresh").disabled = false;
    $("refresh").addEventListener("click", () => loadIdentities(true).catch((e) => setStatus(e.message, true)));
    setStatus("Signed in.");
    await loadIdentities(false);
    window.demo = await mountWidget();
  } else {
    $("sign-in").hidden = false;
    setStatus("Signed out.");
  }
}

main().catch((error) => {
  setStatus(`Error: ${error.message}`, true);
  logEvent(`error: ${error.message}`);
});
