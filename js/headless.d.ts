// auth0-account-link/headless: the promise calls without the widget (its wasm has no Yew).
// The types are the main entry's; `mount()` and the element are only there.
export type {
  AccountLinkOptions,
  ConnectionOption,
  Identity,
  ProfileData,
  SecondaryProfile,
  AccountLinkError,
  AccountLinkErrorCode,
  AccountLinkErrorActor,
  IdTokenReason,
  InitInput,
  AccountLinkStore,
  AccountLinkSnapshot,
  AccountLinkStatus,
} from "./index.js";
export {
  default,
  createAccountLink,
  isAccountLinkError,
  isRedirectReturn,
  linkWithPopup,
  listIdentities,
  unlink,
  resumeRedirect,
} from "./index.js";
