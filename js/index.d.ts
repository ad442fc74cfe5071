// Types of the public contract (see the package README).

export interface ConnectionOption {
  /** The connection's name in Auth0, e.g. "google-oauth2". */
  name: string;
  /** Button label; defaults to a readable name for well-known connections. */
  label?: string;
}

export interface AccountLinkOptions {
  /** Tenant domain: "tenant.eu.auth0.com" (https implied); http only for 127.0.0.1/localhost/[::1]. */
  domain: string;
  /** Client ID of the SPA application (the one that issued the primary access token). */
  clientId: string;
  /** Resolves to the primary user's access token for https://{domain}/api/v2/ with
   *  read:current_user and update:current_user_identities. */
  getAccessToken: () => string | undefined | Promise<string | undefined>;
  connections?: ConnectionOption[];
  /** "web_message" (default, popup posts back) or "query" (needs redirectUri: a callback page). */
  responseMode?: "web_message" | "query";
  /** Required for "query" and for the redirect fallback. */
  redirectUri?: string;
  /** BCP 47 tag ("de", "fr-CA", "ar"): the widget's language (catalogs for en, de, fr, es, ja,
   *  ar ship with the package and load on demand), its writing direction, and `ui_locales`
   *  for the login page. */
  locale?: string;
  /** "auto" (default: follows prefers-color-scheme), "light" or "dark". */
  theme?: "auto" | "light" | "dark";
  /** The level of the widget's heading, 2 (default) to 6. */
  headingLevel?: 2 | 3 | 4 | 5 | 6;
  /** Texts replacing the catalog's, by key; an unknown key throws config_invalid. */
  messages?: Partial<Record<MessageKey, string>>;
  /** Loads the catalog of a locale (every entry point defaults to the package's
   *  `loadMessages`); resolve undefined when there is none (English is shown). The widget,
   *  the store's texts and every `userMessage` and `label` use it. */
  loadMessages?: (locale: string) => Messages | undefined | Promise<Messages | undefined>;
  /** Asked with the verified secondary once the user confirmed, before the link call.
   *  Resolve `false` to stop, or a sentence to stop and show it; anything else links.
   *  A throw or rejection stops the link too. */
  beforeLink?: (profile: SecondaryProfile) => unknown | Promise<unknown>;
  popupTimeoutSeconds?: number;
  requestTimeoutSeconds?: number;
  /** Clock skew allowed on ID token time claims (default 60, at most 300). */
  leewaySeconds?: number;
  /** Refuse secondary accounts whose email is not verified (default true). */
  requireVerifiedEmail?: boolean;
  /** A secondary login that is an existing user with other logins of its own would be merged
   *  whole into the primary. Default false: refused (`secondary_has_other_logins`). true:
   *  the user is shown a merge screen (what moves, what does not) and `confirm` /
   *  `beforeLink` get the facts (`profile.merge`). */
  allowMerge?: boolean;
  /** Sent as `max_age` on the secondary's login; its ID token's `auth_time` is checked against it. */
  maxAgeSeconds?: number;
  /** Before a login is added, the primary user signs in again in the same window (or the same
   *  redirect round trip) unless their sign-in is more recent than
   *  `reauthenticateMaxAgeSeconds`; the link request then uses that sign-in's access token.
   *  Default true. false: only the secondary account signs in (the tenant may still enforce
   *  a recent sign-in: docs/real-tenant.md). */
  reauthenticate?: boolean;
  /** How recent the primary user's sign-in must be, in seconds (default 600, 0 to 86400). */
  reauthenticateMaxAgeSeconds?: number;
  /** A link discards the secondary account's `user_metadata` (its saved settings). To keep
   *  them, the widget writes them to the primary user first, with the token the link uses
   *  (it needs `update:current_user_metadata`): `"primary-wins"` copies the properties the
   *  primary does not have; a function returns the primary's new `user_metadata` from both
   *  (what differs is written; a property left out is deleted). A failed write links
   *  nothing. Default: not carried (the confirm screen says what is lost). */
  carryUserMetadata?: "primary-wins" | ((primary: Record<string, unknown>, secondary: Record<string, unknown>) => Record<string, unknown>);
  /** Defaults to the access token's sub; must equal it. */
  primaryUserId?: string;
  /** The page's origin, the `web_message` redirect target when `redirectUri` is not given
   *  (default: `window.location.origin`). */
  appOrigin?: string;
  /** With a custom `domain`: the Management API's identifier, "https://{tenant}.{region}.auth0.com/api/v2/"
   *  (the access token's audience). Defaults to "https://{domain}/api/v2/". */
  managementAudience?: string;
  /** Called with the identities after a link (beside the `account-link:linked` event). */
  onLinked?: (detail: LinkedEventDetail) => void;
  /** Called with the remaining identities after an unlink (beside `account-link:unlinked`). */
  onUnlinked?: (detail: LinkedEventDetail) => void;
  /** Called on every error (beside `account-link:error`). */
  onError?: (detail: ErrorEventDetail) => void;
}

export interface ProfileData {
  email?: string;
  email_verified?: boolean;
  name?: string;
  nickname?: string;
  picture?: string;
}

export interface Identity {
  connection: string;
  user_id: string;
  provider: string;
  isSocial: boolean;
  profileData?: ProfileData;
  /** On every list the package gives (results, events, the store): the primary user's own
   *  login (the first). */
  primary?: boolean;
  /** On every list the package gives: the provider as the widget names it, in the `locale`
   *  ("GitHub", "Google", "Email and password"). */
  label?: string;
}

export interface SecondaryProfile {
  userId: string;
  provider: string;
  name?: string | null;
  nickname?: string | null;
  email?: string | null;
  emailVerified?: boolean | null;
  picture?: string | null;
  /** Present when the login is an existing user with other logins and `allowMerge` is set:
   *  linking moves all of `identities` (that user's logins) to the primary user; its
   *  profile, metadata and the host's records under `userId` are not moved. */
  merge?: { userId: string; identities: Identity[] };
  /** The account's own `user_metadata` (its saved settings), when it has any: a link
   *  discards it (Auth0 does not merge metadata). Read before the link; `userId` names the
   *  user it belongs to, so a host can carry what it needs first. */
  userMetadata?: Record<string, unknown>;
  /** The account's own `app_metadata`, when it has any: discarded by a link too; only a back
   *  end can move it (`beforeLink` is the place to ask yours). */
  appMetadata?: Record<string, unknown>;
}

/** Every text of the widget, by key (placeholders in braces are filled in). */
export type MessageKey =
  | "title" | "loading" | "identities_label" | "primary" | "actions_label"
  | "link_with" /* {provider} */ | "another_account" | "unlink"
  | "unlink_label" /* {provider} {account} */ | "unlink_question" | "unlink_confirm" | "cancel"
  | "confirm_title" | "confirm_link" | "merge_title" | "merge_logins_label" | "merge_not_moved" | "merge_confirm"
  | "discard_settings" /* {settings} */ | "carry_settings" /* {settings} */ | "discard_app_data"
  | "continue_in_tab" | "try_again"
  | "try_again_in" /* {seconds} */ | "dismiss" | "unlinked" | "email_unverified_mark" | "no_email"
  | "provider_label" | "name_label" | "email_label" | "provider.auth0" | "provider.email" | "provider.sms"
  | "status.preparing" | "status.ready" | "status.popup_blocked" | "status.awaiting_login"
  | "status.reauthenticating" | "status.verifying" | "status.confirming" | "status.linking" | "status.unlinking" | "status.linked"
  | "error.link_outcome_unknown" | "error.popup_cut_off" | `error.${AccountLinkErrorCode}`;

/** A message catalog: texts by key. */
export type Messages = Partial<Record<MessageKey, string>>;

/** The locales whose catalogs ship with the package ("en" is built in). */
export declare const LOCALES: readonly string[];
/** The package's catalog loader: the catalog of a tag ("de-AT" falls back to "de"), or undefined. */
export function loadMessages(locale: string): Promise<Messages | undefined>;

export type AccountLinkErrorCode =
  | "config_invalid" | "popup_blocked" | "popup_closed" | "cancelled" | "timeout"
  | "authorization_denied" | "state_mismatch" | "token_exchange_failed" | "id_token_invalid"
  | "email_unverified" | "same_account" | "already_linked" | "linked_to_another_user" | "secondary_has_other_logins"
  | "primary_token_unavailable"
  | "primary_token_rejected" | "insufficient_scope" | "user_mismatch" | "reauthentication_failed"
  | "session_changed" | "rate_limited"
  | "network" | "server_error" | "unexpected_response";

export type IdTokenReason =
  | "malformed" | "alg" | "signature" | "key_not_found" | "iss" | "aud" | "azp"
  | "exp" | "iat" | "nbf" | "nonce" | "sub" | "auth_time";

/** Who has to act on an error. */
export type AccountLinkErrorActor =
  | "developer" | "host_application" | "user" | "identity_provider" | "server" | "network";

export interface AccountLinkError extends Error {
  name: "AccountLinkError";
  code: AccountLinkErrorCode;
  actor: AccountLinkErrorActor;
  reason?: IdTokenReason;
  retryAfterSeconds?: number;
  /** A sentence for the end user; `message` is for developers. */
  userMessage: string;
  /** The account the error is about, as the user knows it (an email or a name). */
  account?: string;
  status?: number;
  apiError?: { message?: string; errorCode?: string; error?: string };
  idpError?: { error: string; errorDescription?: string };
  /** Set on a headless rejection that followed a completed secondary login: the tenant's
   *  session now belongs to the secondary account (mount() sends `session_changed`). */
  sessionChanged?: boolean;
}

export interface MountHandle {
  /** Hands new options to the running widget without remounting it: a new getAccessToken,
   *  callback, locale or label never closes a popup in flight; options the flow depends on
   *  (domain, clientId, redirectUri, timeouts…) start a new flow. Throws config_invalid and
   *  keeps the current options when the new ones are wrong. */
  update(options: AccountLinkOptions): void;
  /** Removes the widget: closes its popup, removes its listeners and its markup. */
  unmount(): void;
}

export interface LinkedEventDetail {
  identities: Identity[];
  /** `linked` only: the secondary account's former user id. That user no longer exists;
   *  what your app keeps under this id is yours to move (see `beforeLink`). */
  secondaryUserId?: string;
  /** `linked` only, with `carryUserMetadata`: the `user_metadata` properties written to the
   *  primary before the link, and the primary's `user_metadata` read after it. */
  carriedUserMetadata?: string[];
  userMetadata?: Record<string, unknown>;
}
export interface ErrorEventDetail {
  code: AccountLinkErrorCode;
  actor: AccountLinkErrorActor;
  reason?: IdTokenReason;
  retryAfterSeconds?: number;
  message: string;
  userMessage: string;
  error: AccountLinkError;
}

declare global {
  interface HTMLElementEventMap {
    "account-link:linked": CustomEvent<LinkedEventDetail>;
    "account-link:unlinked": CustomEvent<LinkedEventDetail>;
    "account-link:error": CustomEvent<ErrorEventDetail>;
    /** The same events under colon-free names, for framework templates. */
    "account-link-linked": CustomEvent<LinkedEventDetail>;
    "account-link-unlinked": CustomEvent<LinkedEventDetail>;
    "account-link-error": CustomEvent<ErrorEventDetail>;
  }
}

/** Where the wasm comes from: by default `auth0_account_link_bg.wasm` next to this module. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** Fetches and compiles the wasm once (optional: every entry point does it on first use).
 *  Rejects with an AccountLinkError naming the URL tried and the fix. */
export default function init(options?: { module_or_path?: InitInput | Promise<InitInput> }): Promise<unknown>;
/** Whether `value` is an error from this package. */
export function isAccountLinkError(value: unknown): value is AccountLinkError;
/** Whether `search` (by default this page's query) is the answer to a login of this
 *  widget: a redirect return the widget resumes, which a host SDK must leave alone (set
 *  auth0-react's, auth0-vue's or auth0-angular's `skipRedirectCallback` to it). */
export function isRedirectReturn(search?: string): boolean;
/** Renders the widget into `element`. Once the wasm is loaded, bad options throw an
 *  AccountLinkError (config_invalid); before that, mount returns at once and reports them
 *  as an `account-link:error` event and through `onError`. */
export function mount(element: Element, options: AccountLinkOptions): MountHandle;
/** Call from a click handler: the popup opens before anything is awaited. */
/** Where a store's session is (`status`): the widget's `data-status` names, and `loading`
 *  until the wasm has loaded, `failed` when it could not start (see `notice`). */
export type AccountLinkStatus =
  | "loading" | "failed" | "idle" | "preparing" | "ready" | "popup_blocked" | "reauthenticating"
  | "awaiting_login" | "verifying" | "confirming" | "linking" | "unlinking" | "linked" | "cancelled";

/** One frozen object per change of a store (the same object until something changes). */
export interface AccountLinkSnapshot {
  status: AccountLinkStatus;
  /** What the session is doing, in the `locale`, for a live region (`role="status"`): the
   *  widget's status line. Empty for an outcome, which `notice.message` says. */
  statusMessage: string;
  /** The primary user's identities (the primary marked, each provider's `label`), once listed. */
  identities: ReadonlyArray<Identity & { primary: boolean; label: string }> | null;
  /** The connections the options name, with their labels (`link(connection)` for each). */
  connections: ReadonlyArray<{ connection: string; label: string }>;
  listing: boolean;
  /** The user waits on something the page does not see happening (offer `cancel`). */
  waiting: boolean;
  unlinking: boolean;
  /** A secondary login ended without a link: the tenant's session is that account's. */
  sessionChanged: boolean;
  /** What just happened; `message` is the widget's notice in the `locale` (an error's
   *  `userMessage` with what it is about, or `beforeLink`'s words). */
  notice:
    | null
    | { kind: "linked" | "unlinked"; message: string }
    | { kind: "cancelled"; code: "cancelled"; message: string }
    | { kind: "error"; code: AccountLinkErrorCode; error: AccountLinkError; message: string };
  /** The question the page answers with `answer(question.id, yes)`. */
  question:
    | null
    | { id: number; kind: "confirm" | "beforeLink"; profile: SecondaryProfile & { label: string } }
    | { id: number; kind: "unlink"; identity: Identity & { label: string } };
  /** What the page may offer now. */
  offers: { link: boolean; retry: boolean; continueInTab: boolean; cancel: boolean; unlink: boolean };
  /** What the host was told last. */
  last:
    | null
    | { kind: "linked"; secondaryUserId: string }
    | { kind: "unlinked" | "session_changed" }
    | { kind: "error"; error: AccountLinkError };
}

/** The session's view as a store, for an own UI (React's `useSyncExternalStore`, a Svelte
 *  store, Vue's `shallowRef`). */
export interface AccountLinkStore {
  getSnapshot(): AccountLinkSnapshot;
  /** Calls `listener` after every change; returns the function that stops it. */
  subscribe(listener: () => void): () => void;
  /** Links another account: call it from a click handler (the window opens inside it). */
  link(connection?: string): void;
  /** Removes a login (the call is the decision); from a click handler. */
  unlink(identity: { provider: string; user_id: string } | { provider: string; userId: string }): void;
  /** Answers `snapshot.question` (`true` links). */
  answer(question: number, yes: boolean): void;
  retry(): void;
  cancel(): void;
  continueInTab(): void;
  dismiss(): void;
  /** Ends the session: its window and frame close, its requests are aborted. */
  destroy(): void;
}

/** A store over a new session (lists the identities, prepares the first link at once). Its
 *  texts are the `locale`'s (the snapshot says `loading` until the wasm and the catalog are in). */
export function createAccountLink(options: AccountLinkOptions): AccountLinkStore;

export function linkWithPopup(
  options: AccountLinkOptions,
  params?: {
    connection?: string;
    /** Asked with the verified secondary before the link; only `true` links (anything
     *  else, a throw or a rejection ends with `cancelled`). The `beforeLink` option is
     *  asked after it, as the widget asks it. */
    confirm?: (profile: SecondaryProfile) => boolean | Promise<boolean>;
    /** A window you opened blank inside the click, to use as the login popup. */
    popup?: Window;
    /** Aborted, the link is cancelled: its window closes and the call rejects with
     *  `cancelled` — unless the link request is already out (its answer settles the call). */
    signal?: AbortSignal;
  },
): Promise<Identity[]>;
/** `signal` aborted: rejects with `cancelled` (the list's answer is dropped). */
export function listIdentities(options: AccountLinkOptions, params?: { signal?: AbortSignal }): Promise<Identity[]>;
/** Removes a linked login. With `reauthenticate` (the default) the primary user signs in
 *  again first, in a window opened in the click (`popup`: one the host opened itself): call
 *  it from a click handler; the login is removed with that sign-in's token. */
export function unlink(
  options: AccountLinkOptions,
  params: ({ provider: string; userId: string } | Identity) & {
    popup?: Window;
    /** Aborted during the sign-in again: its window closes, nothing is removed, the call
     *  rejects with `cancelled`. Once the unlink request is sent, its answer settles the call. */
    signal?: AbortSignal;
  },
): Promise<Identity[]>;
/** Redirect fallback: on the page the login returns to, finishes the link (null when the
 *  URL holds no answer to this tab's pending login). `confirm` and the `beforeLink` option
 *  are asked as `linkWithPopup` asks them. With `reauthenticate` (the default) the first
 *  return is the primary user's sign-in again: it leads on to the account's login (the
 *  page leaves, the promise does not settle) and the second return links. */
export function resumeRedirect(
  options: AccountLinkOptions,
  params?: { confirm?: (profile: SecondaryProfile) => boolean | Promise<boolean>; signal?: AbortSignal },
): Promise<Identity[] | null>;
