// An app that draws its own UI: the headless entry only (no widget, no Yew in its wasm).
// The list and the buttons are this page's; the calls are the package's.
import { linkWithPopup, listIdentities, unlink } from "/pkg/headless.js";
import { primaryClient } from "/primary-client.js";

const $ = (id) => document.getElementById(id);

let listed = [];

function render(identities) {
  listed = identities;
  $("identities").replaceChildren(
    ...identities.map((identity) => {
      const li = document.createElement("li");
      li.dataset.provider = identity.provider;
      li.dataset.primary = identity.primary;
      li.textContent = `${identity.label} · ${identity.profileData?.email ?? identity.user_id}${identity.primary ? " (primary)" : ""}`;
      return li;
    }),
  );
}

function failed(error) {
  $("result").textContent = JSON.stringify({ error: error.code, message: error.message, userMessage: error.userMessage });
}

async function main() {
  const { config, client } = await primaryClient();
  if (!(await client.isAuthenticated())) {
    $("status").textContent = "Sign in on the main demo page first.";
    return;
  }
  // ?locale=fr: the errors' userMessage and the labels in French (the package's catalogs).
  const locale = new URLSearchParams(window.location.search).get("locale") ?? undefined;
  const options = { domain: config.domain, clientId: config.clientId, getAccessToken: () => client.getTokenSilently(), locale };
  render(await listIdentities(options));
  // Nothing is awaited before the call: its window opens inside the click.
  $("link-google").addEventListener("click", () => {
    linkWithPopup(options, { connection: "google-oauth2" }).then((ids) => {
      render(ids);
      $("result").textContent = JSON.stringify({ linked: ids.length });
    }, failed);
  });
  $("unlink-google").addEventListener("click", () => {
    // An identity as listed is what unlink takes.
    unlink(options, listed.find((identity) => identity.provider === "google-oauth2")).then((ids) => {
      render(ids);
      $("result").textContent = JSON.stringify({ remaining: ids.length });
    }, failed);
  });
  $("link-google").disabled = false;
  $("unlink-google").disabled = false;
  $("status").textContent = "Ready.";
}

main().catch((error) => {
  $("status").textContent = `Error: ${error.message}`;
});
