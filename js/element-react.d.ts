// `<auth0-account-link>` in React 19 JSX: its attributes, its properties and its events
// (React 19 binds `on<event-name>` props of a custom element as listeners).
//   import type {} from "auth0-account-link/element/react";
import type { DetailedHTMLProps, HTMLAttributes } from "react";
import type { AccountLinkAttributes, AccountLinkElement, AccountLinkEvents } from "./element.js";

type Listeners = {
  [Name in keyof AccountLinkEvents as `on${Name}`]?: (event: AccountLinkEvents[Name]) => void;
};

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "auth0-account-link": DetailedHTMLProps<HTMLAttributes<AccountLinkElement>, AccountLinkElement> &
        AccountLinkAttributes &
        Listeners &
        Partial<Pick<AccountLinkElement, "getAccessToken" | "options">>;
    }
  }
}
