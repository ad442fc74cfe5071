// <auth0-account-link domain="…" client-id="…" connections="google-oauth2,github">
// with `element.getAccessToken = async () => token` set as a property. Same events as mount().
// It renders the same Yew component as mount(); new attributes or a new getAccessToken are
// handed to the running widget with handle.update(), so a popup in flight survives them.
import init from "./auth0_account_link.js";
import { mount } from "./index.js";

await init();

const ATTRIBUTES = ["domain", "client-id", "connections", "response-mode", "redirect-uri", "locale", "theme", "heading-level"];

class AccountLinkElement extends HTMLElement {
  static get observedAttributes() {
    return ATTRIBUTES;
  }

  connectedCallback() {
    this.#sync();
  }

  disconnectedCallback() {
    if (this.#handle) {
      this.#handle.unmount();
      this.#handle = null;
    }
  }

  attributeChangedCallback() {
    if (this.isConnected) this.#sync();
  }

  get getAccessToken() {
    return this.#getAccessToken;
  }

  set getAccessToken(fn) {
    this.#getAccessToken = fn;
    if (this.isConnected) this.#sync();
  }

  #getAccessToken = undefined;
  #handle = null;

  #options() {
    const options = {
      domain: this.getAttribute("domain") ?? undefined,
      clientId: this.getAttribute("client-id") ?? undefined,
      getAccessToken: this.#getAccessToken,
    };
    const connections = this.getAttribute("connections");
    if (connections) {
      options.connections = connections.split(",").map((s) => s.trim()).filter(Boolean).map((name) => ({ name }));
    }
    const responseMode = this.getAttribute("response-mode");
    if (responseMode) options.responseMode = responseMode;
    const redirectUri = this.getAttribute("redirect-uri");
    if (redirectUri) options.redirectUri = redirectUri;
    const locale = this.getAttribute("locale");
    if (locale) options.locale = locale;
    const theme = this.getAttribute("theme");
    if (theme) options.theme = theme;
    const headingLevel = this.getAttribute("heading-level");
    if (headingLevel) options.headingLevel = Number(headingLevel);
    return options;
  }

  // Mounts once the host has set the token function; afterwards only updates.
  #sync() {
    if (typeof this.#getAccessToken !== "function") return;
    try {
      if (this.#handle) {
        this.#handle.update(this.#options());
      } else {
        this.#handle = mount(this, this.#options());
      }
    } catch (error) {
      this.dispatchEvent(new CustomEvent("account-link:error", {
        detail: { code: error.code, message: error.message, userMessage: error.userMessage, error },
        bubbles: true,
        composed: true,
      }));
    }
  }
}

if (!customElements.get("auth0-account-link")) {
  customElements.define("auth0-account-link", AccountLinkElement);
}

export { AccountLinkElement };
