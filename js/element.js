// <auth0-account-link domain="…" client-id="…" connections="google-oauth2,github">
// with `element.getAccessToken = async () => token` set as a property. Same events as mount().
import init, { mount } from "./auth0_account_link.js";

await init();

const ATTRIBUTES = ["domain", "client-id", "connections", "response-mode", "redirect-uri", "locale"];

class AccountLinkElement extends HTMLElement {
  static get observedAttributes() {
    return ATTRIBUTES;
  }

  connectedCallback() {
    this.#render();
  }

  disconnectedCallback() {
    this.#unmount();
  }

  attributeChangedCallback() {
    if (this.isConnected) this.#render();
  }

  get getAccessToken() {
    return this.#getAccessToken;
  }

  set getAccessToken(fn) {
    this.#getAccessToken = fn;
    if (this.isConnected) this.#render();
  }

  #getAccessToken = undefined;
  #handle = null;

  #unmount() {
    if (this.#handle) {
      this.#handle.unmount();
      this.#handle = null;
    }
  }

  #render() {
    this.#unmount();
    // Waits until the host sets the token function.
    if (typeof this.#getAccessToken !== "function") return;
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
    try {
      this.#handle = mount(this, options);
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
