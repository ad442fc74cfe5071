import type { AccountLinkOptions } from "./index.js";

/** Attributes: domain, client-id, connections, response-mode, redirect-uri, locale, theme,
 *  heading-level. */
export declare class AccountLinkElement extends HTMLElement {
  getAccessToken: AccountLinkOptions["getAccessToken"] | undefined;
}

declare global {
  interface HTMLElementTagNameMap {
    "auth0-account-link": AccountLinkElement;
  }
}
