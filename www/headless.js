// Exercises the package's headless functions and its custom element on a page whose
// primary user signed in with auth0-spa-js (the tenant session from the main demo page).
import init, { linkWithPopup, listIdentities, unlink, mount, resumeRedirect } from "/pkg/index.js";
import { primaryClient } from "/primary-client.js";

const $ = (id) => document.getElementById(id);
const show = (id, value) => {
  $(id).textContent = typeof value === "string" ? value : JSON.stringify(value);
};
const describeError = (e) => ({ error: e.code, actor: e.actor, reason: e.reason ?? null, message: e.message, userMessage: e.userMessage });

async function main() {
  const { config, client } = await primaryClient();
  // ?lazy: the wasm is not loaded up front; the first call loads it (a linkWithPopup
  // still opens its popup inside the click). The element is imported but gets no token.
  const lazy = new URLSearchParams(window.location.search).has("lazy");
  if (!lazy) await init();
  if (!(await client.isAuthenticated())) {
    show("status", "Sign in on the main demo page first.");
    return;
  }
  const query = new URLSearchParams(window.location.search);
  const options = {
    domain: config.domain,
    clientId: config.clientId,
    getAccessToken: () => client.getTokenSilently(),
    connections: [{ name: "google-oauth2" }, { name: "github" }],
    // The demo widget's redirectUri: a redirect return it started can be resumed here.
    redirectUri: `${window.location.origin}/callback.html`,
  };
  // ?policy=no-google: the host's own rule, which the headless functions ask as the widget
  // does (after confirm, before the link call).
  if (query.get("policy") === "no-google") {
    options.beforeLink = (profile) => (profile.provider === "google-oauth2" ? "Google accounts cannot be linked here." : true);
  }
  const providers = (ids) => ids.map((i) => i.provider).join(",");
  // The confirm callback: true or false as the checkbox says, or (#sentence) a sentence,
  // which is not a yes.
  const confirm = (profile) => {
    // What the link would discard rides on the profile: the account's saved settings and
    // whether the app keeps data on it (its user id names where the app's own records are).
    show("confirm-seen", {
      provider: profile.provider,
      email: profile.email,
      emailVerified: profile.emailVerified,
      userId: profile.userId,
      settings: Object.keys(profile.userMetadata ?? {}).sort(),
      appData: Object.keys(profile.appMetadata ?? {}).sort(),
    });
    if ($("sentence").checked) return "Yes, but only if it is mine";
    return $("accept").checked;
  };
  // ?resume: a redirect return (the demo widget's "Continue in this tab") lands here.
  if (query.has("resume")) {
    // The return of the primary user's sign-in again leads on to the login of the account
    // to link (the page leaves again, this promise with it): that return comes back here too.
    const back = new URLSearchParams({ resume: "" });
    if (query.get("policy")) back.set("policy", query.get("policy"));
    sessionStorage.setItem("demo:return-to", `/headless.html?${back}`);
    resumeRedirect(options, { confirm })
      .then(
        (ids) => show("result", ids === null ? { resumed: null } : { linked: providers(ids) }),
        (e) => show("result", describeError(e)),
      )
      .finally(() => sessionStorage.removeItem("demo:return-to"));
  }

  // Nothing is awaited before linkWithPopup: it opens the popup inside this click.
  $("link-google").addEventListener("click", () => {
    linkWithPopup(options, { connection: "google-oauth2", confirm }).then((ids) => show("result", { linked: providers(ids) }), (e) => show("result", describeError(e)));
  });
  $("list").addEventListener("click", () => {
    listIdentities(options).then((ids) => show("result", { listed: providers(ids) }), (e) => show("result", describeError(e)));
  });
  $("unlink-google").addEventListener("click", () => {
    unlink(options, { provider: "google-oauth2", userId: "100000000000000000001" })
      .then((ids) => show("result", { remaining: providers(ids) }), (e) => show("result", describeError(e)));
  });
  $("bad-mount").addEventListener("click", () => {
    try {
      mount(document.createElement("div"), { ...options, clientID: "typo" });
      show("result", "mounted?!");
    } catch (e) {
      show("result", describeError(e));
    }
  });

  const element = $("element");
  const seen = [];
  for (const name of ["account-link:linked", "account-link:unlinked", "account-link:error", "account-link-linked"]) {
    element.addEventListener(name, (e) => {
      seen.push(`${name}:${e.detail.code ?? e.detail.identities.length}`);
      show("element-events", seen.join("\n"));
    });
  }
  await import("/pkg/element.js");
  element.setAttribute("domain", config.domain);
  element.setAttribute("client-id", config.clientId);
  // Options that are not attributes go through the `options` property.
  element.options = { theme: "dark", messages: { title: "Sign-in methods" }, onLinked: (d) => show("element-callback", `onLinked:${d.identities.length}`) };
  if (!lazy) element.getAccessToken = () => client.getTokenSilently();

  for (const id of ["link-google", "list", "unlink-google", "bad-mount"]) $(id).disabled = false;
  show("status", "Ready.");
}

main().catch((e) => show("status", `Error: ${e.message}`));
