// `<auth0-account-link>` in Svelte 5 markup (checked by svelte-check): its attributes, its
// properties and its events (`onaccount-link-linked={…}`).
//   import type {} from "auth0-account-link/element/svelte";
import type { HTMLAttributes } from "svelte/elements";
import type { AccountLinkAttributes, AccountLinkElement, AccountLinkEvents } from "./element.js";

type Listeners = {
  [Name in keyof AccountLinkEvents as `on${Name}`]?: (event: AccountLinkEvents[Name]) => void;
};

declare module "svelte/elements" {
  interface SvelteHTMLElements {
    "auth0-account-link": HTMLAttributes<AccountLinkElement> &
      AccountLinkAttributes &
      Listeners &
      Partial<Pick<AccountLinkElement, "getAccessToken" | "options">>;
  }
}
