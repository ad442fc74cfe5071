// `<auth0-account-link>` in Vue 3 templates (checked by vue-tsc): its attributes, its
// properties (`:options`, `:get-access-token` with `.prop`) and its events
// (`@account-link-linked`). Vue must treat the tag as a custom element
// (`compilerOptions.isCustomElement`, see the package README).
//   import type {} from "auth0-account-link/element/vue";
import type { DefineComponent } from "vue";
import type { AccountLinkAttributes, AccountLinkElement, AccountLinkEvents } from "./element.js";

type Listeners = {
  [Name in keyof AccountLinkEvents as `on${Capitalize<CamelCase<Name>>}`]?: (event: AccountLinkEvents[Name]) => void;
};
type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

declare module "vue" {
  interface GlobalComponents {
    "auth0-account-link": DefineComponent<
      AccountLinkAttributes & Listeners & Partial<Pick<AccountLinkElement, "getAccessToken" | "options">>
    >;
  }
}
