// The example app: its user signs in with auth0-spa-js (from npm), then links accounts
// twice over — with the React wrapper around mount() and with the custom element, bound
// with React 19's custom-element props and the colon-free event name.
import { StrictMode, useEffect, useMemo, useRef, useState } from "react";
import { createRoot } from "react-dom/client";
import { createAuth0Client } from "@auth0/auth0-spa-js";
import "auth0-account-link/element";
import "auth0-account-link/auth0-account-link.css";
import { AccountLink } from "./AccountLink.jsx";
import { OwnUi } from "./OwnUi.jsx";

/** The tenant: from VITE_AUTH0_* under `vite dev`, else the dev tenant's /config.json. */
async function tenant() {
  const env = import.meta.env;
  if (env.VITE_AUTH0_DOMAIN) return { domain: env.VITE_AUTH0_DOMAIN, clientId: env.VITE_AUTH0_CLIENT_ID };
  return (await fetch("/config.json")).json();
}

function App({ client, config }) {
  const [user, setUser] = useState(null);
  const [events, setEvents] = useState([]);
  const [renders, setRenders] = useState(0);
  const log = (line) => setEvents((list) => [...list, line]);
  const element = useRef(null);

  useEffect(() => {
    client.getUser().then(setUser);
  }, [client]);

  // A new options object on every render of `renders`: the wrapper hands it over with
  // update(); the widget is not remounted.
  const options = useMemo(() => ({
    domain: config.domain,
    clientId: config.clientId,
    getAccessToken: () => client.getTokenSilently(),
    connections: [{ name: "google-oauth2" }, { name: "github" }],
    onLinked: ({ identities }) => log(`wrapper linked ${identities.length}`),
    onError: ({ code, message }) => log(`wrapper error ${code}: ${message}`),
  }), [client, config, renders]);

  useEffect(() => {
    if (element.current) element.current.getAccessToken = () => client.getTokenSilently();
  }, [client, user]);

  const [ownShown, setOwnShown] = useState(true);
  // ?own&locale=de: the own UI's texts in German, from the package's catalogs.
  const locale = new URLSearchParams(window.location.search).get("locale") ?? undefined;
  const ownOptions = useMemo(() => ({
    domain: config.domain,
    clientId: config.clientId,
    getAccessToken: () => client.getTokenSilently(),
    connections: [{ name: "google-oauth2" }],
    locale,
  }), [client, config, locale]);

  if (!user) {
    return <button type="button" id="sign-in" onClick={() => client.loginWithRedirect()}>Sign in</button>;
  }
  // ?own: the app's own UI on the headless entry's store instead of the widget.
  if (new URLSearchParams(window.location.search).has("own")) {
    return (
      <>
        <h1>Signed in as {user.name}</h1>
        <button type="button" id="own-toggle" onClick={() => setOwnShown((shown) => !shown)}>{ownShown ? "Leave" : "Back"}</button>
        {ownShown && <section id="own"><h2>Own UI (store)</h2><OwnUi options={ownOptions} /></section>}
      </>
    );
  }
  return (
    <>
      <h1>Signed in as {user.name}</h1>
      <button type="button" id="rerender" onClick={() => setRenders((n) => n + 1)}>Re-render ({renders})</button>
      <section id="wrapper">
        <h2>React wrapper around mount()</h2>
        <AccountLink options={options} />
      </section>
      <section id="element">
        <h2>Custom element</h2>
        <auth0-account-link
          ref={element}
          domain={config.domain}
          client-id={config.clientId}
          connections="github"
          heading-level="3"
          onaccount-link-linked={(e) => log(`element linked ${e.detail.identities.length}`)}
        />
      </section>
      <ol id="events">{events.map((e, i) => <li key={i}>{e}</li>)}</ol>
    </>
  );
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
  createRoot(document.getElementById("root")).render(
    <StrictMode>
      <App client={client} config={config} />
    </StrictMode>,
  );
}

main();
