import type { AccountLinkOptions, ErrorEventDetail, LinkedEventDetail } from "./index.js";

/** The element's attributes, as a template sets them (strings; `connections` is a
 *  comma-separated list of connection names). What framework templates are checked against:
 *  see `auth0-account-link/element/react`, `/element/vue` and `/element/svelte`. */
export interface AccountLinkAttributes {
  domain?: string;
  "client-id"?: string;
  connections?: string;
  "response-mode"?: "web_message" | "query";
  "redirect-uri"?: string;
  locale?: string;
  theme?: "auto" | "light" | "dark";
  "heading-level"?: "2" | "3" | "4" | "5" | "6" | 2 | 3 | 4 | 5 | 6;
}

/** The element's events under their colon-free names (the ones templates can bind). */
export interface AccountLinkEvents {
  "account-link-linked": CustomEvent<LinkedEventDetail>;
  "account-link-unlinked": CustomEvent<LinkedEventDetail>;
  "account-link-error": CustomEvent<ErrorEventDetail>;
}

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
