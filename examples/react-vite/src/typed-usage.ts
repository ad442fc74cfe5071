// Type-checked with `tsc --noEmit --strict` against the .d.ts files shipped in the packed
// package: what a TypeScript host writes must compile, and the types must say what the
// runtime does.
import init, {
  isAccountLinkError,
  linkWithPopup,
  listIdentities,
  loadMessages,
  LOCALES,
  mount,
  resumeRedirect,
  unlink,
  type AccountLinkError,
  type AccountLinkOptions,
  type Identity,
  type MessageKey,
  type MountHandle,
} from "auth0-account-link";
import { AccountLinkElement } from "auth0-account-link/element";
// A shipped catalog imported directly is typed as the widget's messages.
import german from "auth0-account-link/locales/de";
import "auth0-account-link/callback.js";

declare const getToken: () => Promise<string>;
// What auth0-spa-js's getTokenSilently and auth0-vue's getAccessTokenSilently are typed as.
declare const getTokenSilently: () => Promise<string | undefined>;

const options: AccountLinkOptions = {
  domain: "tenant.eu.auth0.com",
  clientId: "client",
  getAccessToken: getToken,
  connections: [{ name: "google-oauth2", label: "Google" }],
  appOrigin: "https://app.example.com",
  locale: "de",
  theme: "dark",
  headingLevel: 3,
  messages: { title: "Konten", "error.popup_closed": "Fenster zu." },
  loadMessages: (locale) => (locale === "de" ? { title: "Konten" } : undefined),
  beforeLink: async (profile) => (profile.provider === "github" ? "No GitHub here." : true),
  onLinked: ({ identities }) => identities.map((i: Identity) => i.provider),
  onError: (detail) => console.log(detail.code, detail.actor, detail.userMessage),
};

async function run(host: HTMLElement): Promise<void> {
  await init();
  await init({ module_or_path: new URL("https://cdn.example.com/auth0_account_link_bg.wasm") });
  const handle: MountHandle = mount(host, options);
  handle.update({ ...options, locale: "fr" });
  handle.unmount();
  try {
    const identities = await linkWithPopup(options, { connection: "github", confirm: (p) => p.emailVerified === true });
    identities.forEach((i) => i.profileData?.email);
    await listIdentities(options);
    await unlink(options, { provider: "github", userId: "4242" });
  } catch (error) {
    if (isAccountLinkError(error)) {
      const e: AccountLinkError = error;
      console.log(e.code, e.actor, e.reason, e.retryAfterSeconds, e.apiError?.errorCode, e.account);
    }
  }
  // The SDKs' own token functions fit as they are; a merge is offered only when asked for,
  // and its facts reach confirm.
  const fromSdk: AccountLinkOptions = { ...options, getAccessToken: getTokenSilently, allowMerge: true };
  await linkWithPopup(fromSdk, { confirm: (p) => p.merge === undefined || p.merge.identities.length < 3 });
  const resumed = await resumeRedirect(fromSdk, { confirm: async () => true });
  console.log(resumed?.length);
  const refusal: MessageKey = "error.secondary_has_other_logins";
  console.log(refusal, (await listIdentities(fromSdk)).length);
  const key: MessageKey = "error.linked_to_another_user";
  const catalog = await loadMessages("de-AT");
  console.log(key, catalog?.title, LOCALES.includes("ja"));
  host.addEventListener("account-link:linked", (e) => e.detail.identities.length);
  host.addEventListener("account-link-error", (e) => e.detail.code);
  const element = document.createElement("auth0-account-link");
  element.getAccessToken = getToken;
  element.options = { theme: "light", onLinked: () => undefined };
  console.log(element instanceof AccountLinkElement);
  const messages: AccountLinkOptions["messages"] = german;
  console.log(messages?.title);
}

export { run };

// The headless entry (no Yew in its wasm): the same calls and types, no mount().
import initHeadless, * as headless from "auth0-account-link/headless";
void initHeadless();
const ownUiOptions: headless.AccountLinkOptions = { domain: "tenant.eu.auth0.com", clientId: "client", getAccessToken: getToken, carryUserMetadata: "primary-wins", locale: "de" };
const afterLink: Promise<headless.Identity[]> = headless.linkWithPopup(ownUiOptions, { connection: "github", signal: new AbortController().signal });
void headless.listIdentities(ownUiOptions, { signal: AbortSignal.timeout(5000) });
void afterLink;
void headless.unlink(ownUiOptions, { provider: "github", userId: "1" });
// @ts-expect-error mount() is the widget entry's only
headless.mount;
// The linked event names the former user and what was carried.
const onLinked: AccountLinkOptions["onLinked"] = (detail) => void [detail.secondaryUserId, detail.carriedUserMetadata, detail.userMetadata];
void onLinked;

// The store for an own UI: a snapshot per change, actions, destroy.
const store: headless.AccountLinkStore = headless.createAccountLink(ownUiOptions);
const stop = store.subscribe(() => {
  const view: headless.AccountLinkSnapshot = store.getSnapshot();
  const primary = view.identities?.find((i) => i.primary);
  if (view.question?.kind === "confirm") store.answer(view.question.id, view.question.profile.emailVerified === true);
  if (view.notice?.kind === "error") void view.notice.error.userMessage;
  // The texts in the options' locale.
  const texts: string[] = [view.statusMessage, view.notice?.message ?? "", primary?.label ?? ""];
  const buttons: string[] = view.connections.map((c) => `${c.connection}: ${c.label}`);
  if (view.question?.kind === "unlink") void view.question.identity.label;
  void [texts, buttons];
});
if (store.getSnapshot().offers.link) store.link("github");
stop();
store.destroy();
