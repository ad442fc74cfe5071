// The message catalogs shipped with auth0-account-link, loaded on first use: each is its
// own module (bundlers split them into lazy chunks), so only the locale a page uses is
// fetched and the wasm carries English only.
const CATALOGS = {
  ar: () => import("./locales/ar.js"),
  de: () => import("./locales/de.js"),
  es: () => import("./locales/es.js"),
  fr: () => import("./locales/fr.js"),
  ja: () => import("./locales/ja.js"),
};

/** The locales with a shipped catalog (English is built in). */
export const LOCALES = ["en", ...Object.keys(CATALOGS)];

/**
 * The catalog for a BCP 47 tag (`de-AT` falls back to `de`), or `undefined` when none is
 * shipped: the widget then shows English. The default `loadMessages` of `mount()` and the
 * element.
 */
export async function loadMessages(locale) {
  const tag = String(locale).toLowerCase();
  const load = CATALOGS[tag] ?? CATALOGS[tag.split("-")[0]];
  return load ? (await load()).default : undefined;
}
