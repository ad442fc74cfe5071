// An own UI driven by the store: everything drawn from getSnapshot(), every change heard
// through subscribe(). The actions are the store's (link and unlink from click handlers).
import { createAccountLink } from "/pkg/headless.js";
import { primaryClient } from "/primary-client.js";

const $ = (id) => document.getElementById(id);

async function main() {
  const { config, client } = await primaryClient();
  if (!(await client.isAuthenticated())) {
    $("status").textContent = "Sign in on the main demo page first.";
    return;
  }
  const locale = new URLSearchParams(window.location.search).get("locale") ?? undefined;
  const store = createAccountLink({ domain: config.domain, clientId: config.clientId, getAccessToken: () => client.getTokenSilently(), connections: [{ name: "google-oauth2" }], locale });
  window.store = store;
  let shown = null;
  const render = () => {
    const s = store.getSnapshot();
    if (s === shown) return;
    shown = s;
    $("status").textContent = s.statusMessage;
    $("status").dataset.status = s.status;
    if ($("statuses").lastElementChild?.textContent !== s.status) {
      const li = document.createElement("li");
      li.textContent = s.status;
      $("statuses").append(li);
    }
    $("identities").replaceChildren(
      ...(s.identities ?? []).map((identity) => {
        const li = document.createElement("li");
        li.dataset.provider = identity.provider;
        li.textContent = `${identity.label} · ${identity.profileData?.email ?? identity.user_id}${identity.primary ? " (primary)" : ""}`;
        if (!identity.primary) {
          const unlink = document.createElement("button");
          unlink.type = "button";
          unlink.className = "unlink";
          unlink.textContent = "Unlink";
          unlink.disabled = !s.offers.unlink;
          unlink.addEventListener("click", () => store.unlink(identity));
          li.append(" ", unlink);
        }
        return li;
      }),
    );
    $("link-google").disabled = !s.offers.link;
    $("link-google").textContent = `Link ${s.connections[0]?.label ?? "…"}`;
    const q = s.question;
    $("question").hidden = !(q && q.kind === "confirm");
    if (q && q.kind === "confirm") {
      $("question-text").textContent = `Link ${q.profile.email ?? q.profile.userId}?`;
      $("yes").onclick = () => store.answer(q.id, true);
      $("no").onclick = () => store.answer(q.id, false);
    }
    $("notice").textContent = s.notice?.message ?? "";
    $("notice").dataset.kind = s.notice?.kind ?? "";
  };
  store.subscribe(render);
  render();
  $("link-google").addEventListener("click", () => store.link("google-oauth2"));
  $("destroy").addEventListener("click", () => {
    store.destroy();
    $("status").textContent = "destroyed";
  });
}

main().catch((error) => {
  $("status").textContent = `Error: ${error.message}`;
});
