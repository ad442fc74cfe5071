import type { AccountLinkOptions } from "./index.js";

export declare class AccountLinkElement extends HTMLElement {
  getAccessToken: AccountLinkOptions["getAccessToken"] | undefined;
}

declare global {
  interface HTMLElementTagNameMap {
    "auth0-account-link": AccountLinkElement;
  }
}
