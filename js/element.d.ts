import type { AccountLinkOptions } from "./index.js";

/** Attributes: domain, client-id, connections, response-mode, redirect-uri, locale, theme,
 *  heading-level. */
export declare class AccountLinkElement extends HTMLElement {
  getAccessToken: AccountLinkOptions["getAccessToken"] | undefined;
  /** Every option mount() takes; attributes, when set, win over the same options here. */
  options: Partial<AccountLinkOptions>;
}

declare global {
  interface HTMLElementTagNameMap {
    "auth0-account-link": AccountLinkElement;
  }
}
