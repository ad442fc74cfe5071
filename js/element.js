// <auth0-account-link domain="…" client-id="…" connections="google-oauth2,github">
// with `element.getAccessToken = async () => token` set as a property, and any other
// option (callbacks, messages, beforeLink…) through `element.options = {…}`. Same events
// as mount(), also under colon-free names (`account-link-linked`, `account-link-unlinked`,
// `account-link-error`) for framework templates.
// It renders the same Yew component as mount(); new attributes, options or a new
// getAccessToken are handed to the running widget with handle.update(), so a popup in
// flight survives them. Importing this module defines the element (in a browser) and loads
// nothing: the wasm is fetched when the first element connects.
import { mount } from "./index.js";
import { reportError } from "./events.js";

const ATTRIBUTES = ["domain", "client-id", "connections", "response-mode", "redirect-uri", "locale", "theme", "heading-level"];

// Outside a browser (server rendering) there is no HTMLElement: the class still exists,
// and nothing is defined.
const Base = globalThis.HTMLElement ?? class {};

class AccountLinkElement extends Base {
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

  /** Every option mount() takes; attributes, when set, win over the same options here. */
  get options() {
    return this.#extra;
  }

  set options(value) {
    this.#extra = value ?? {};
    if (this.isConnected) this.#sync();
  }

  #getAccessToken = undefined;
  #extra = {};
  #handle = null;

  #options() {
    const options = { ...this.#extra };
    if (this.#getAccessToken) options.getAccessToken = this.#getAccessToken;
    const text = (name, option) => {
      const value = this.getAttribute(name);
      if (value) options[option] = value;
    };
    text("domain", "domain");
    text("client-id", "clientId");
    text("response-mode", "responseMode");
    text("redirect-uri", "redirectUri");
    text("locale", "locale");
    text("theme", "theme");
    const connections = this.getAttribute("connections");
    if (connections) {
      options.connections = connections.split(",").map((s) => s.trim()).filter(Boolean).map((name) => ({ name }));
    }
    const headingLevel = this.getAttribute("heading-level");
    if (headingLevel) options.headingLevel = Number(headingLevel);
    return options;
  }

  // Mounts once the host has given a token function; afterwards only updates.
  #sync() {
    const options = this.#options();
    if (typeof options.getAccessToken !== "function") return;
    try {
      if (this.#handle) {
        this.#handle.update(options);
      } else {
        this.#handle = mount(this, options);
      }
    } catch (error) {
      reportError(this, options, error);
    }
  }
}

if (globalThis.customElements && !customElements.get("auth0-account-link")) {
  customElements.define("auth0-account-link", AccountLinkElement);
}

export { AccountLinkElement };
