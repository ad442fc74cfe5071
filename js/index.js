// auth0-account-link: the package entry (ES module, no bare imports).
import { mount as mountWidget } from "./auth0_account_link.js";
import { loadMessages } from "./locales.js";

export { default, linkWithPopup, listIdentities, unlink, resumeRedirect, MountHandle } from "./auth0_account_link.js";
export { loadMessages, LOCALES } from "./locales.js";

/**
 * Renders the widget into `element`. The `locale`'s catalog is loaded on demand from the
 * package's `locales/` unless the options bring their own `loadMessages`.
 */
export function mount(element, options) {
  const withCatalogs =
    options !== null && typeof options === "object" && !Object.prototype.hasOwnProperty.call(options, "loadMessages")
      ? { ...options, loadMessages }
      : options;
  return mountWidget(element, withCatalogs);
}
