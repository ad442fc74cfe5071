// `<auth0-account-link>` in Vue 3 templates (checked by vue-tsc): its attributes, its
// properties (`:options`, `:get-access-token` with `.prop`) and its events
// (`@account-link-linked`). Vue must treat the tag as a custom element
// (`compilerOptions.isCustomElement`, see the package README).
//   import type {} from "auth0-account-link/element/vue";
import type { ComponentOptionsMixin, DefineComponent } from "vue";
import type { AccountLinkAttributes, AccountLinkElement, AccountLinkEvents } from "./element.js";

/** Vue matches a kebab-case attribute to a camelCase prop (`heading-level` → `headingLevel`). */
type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
type Props = { [Name in keyof AccountLinkAttributes as CamelCase<Name>]: AccountLinkAttributes[Name] };

type Emits = {
  [Name in keyof AccountLinkEvents]: (event: AccountLinkEvents[Name]) => void;
};

declare module "vue" {
  interface GlobalComponents {
    "auth0-account-link": DefineComponent<
      Props & Partial<Pick<AccountLinkElement, "getAccessToken" | "options">>,
      {},
      {},
      {},
      {},
      ComponentOptionsMixin,
      ComponentOptionsMixin,
      Emits
    >;
  }
}
