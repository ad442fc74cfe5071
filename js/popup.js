// The login window, opened the one way every path opens it: by the wasm
// (src/browser/popup.rs calls this through wasm-bindgen), and by the package entry inside
// the click when the wasm is not loaded yet. A random name, so that no other widget, call
// or frame can reach (retarget, close) the window by its name; centred over the page,
// 480×680 (a 1024×768 page where the browser does not say its size).
const WIDTH = 480;
const HEIGHT = 680;

function randomName() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `auth0-account-link-${btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")}`;
}

/** `window.open(url)` as a login popup; `null` when the browser blocked it. */
export function openLoginWindow(url) {
  const number = (value, fallback) => (typeof value === "number" && Number.isFinite(value) ? value : fallback);
  const left = Math.max(0, Math.trunc(number(window.screenX, 0) + (number(window.outerWidth, 1024) - WIDTH) / 2));
  const top = Math.max(0, Math.trunc(number(window.screenY, 0) + (number(window.outerHeight, 768) - HEIGHT) / 2));
  return window.open(url, randomName(), `popup=yes,width=${WIDTH},height=${HEIGHT},left=${left},top=${top}`);
}

// This page's own Cross-Origin-Opener-Policy header, read once, when a login window first
// reads as closed: `same-origin` cuts the page off from every window it opens on another
// origin, so such a window reads as closed at once and can never answer. A page cannot see
// its response headers: it asks for itself again (HEAD, same origin, not from the cache).
let openerPolicy;

/**
 * `undefined` while `win` is open (or while the page's policy is being read); once it
 * reads as closed, the page's `Cross-Origin-Opener-Policy` ("" when it sends none or the
 * request failed).
 */
export function loginWindowGone(win) {
  if (!win.closed) return undefined;
  if (!openerPolicy) {
    openerPolicy = { value: undefined };
    fetch(window.location.href, { method: "HEAD", cache: "no-store" })
      .then((r) => r.headers.get("cross-origin-opener-policy") ?? "", () => "")
      .then((value) => (openerPolicy.value = value));
  }
  return openerPolicy.value;
}

// After the frame's page has loaded, how long its answer may still be on its way (the
// tenant's page posts it while it loads; the parent hears it as a separate task).
const ANSWER_GRACE_MS = 500;

/**
 * The hidden frame of the primary user's sign-in again asked ahead of the click
 * (`prompt=none`; its `web_message` answer is posted to this page by the tenant). Not
 * shown, not focusable, out of the accessibility tree. `onRefused` is called when no answer
 * can come: this page's Content-Security-Policy refuses the frame's origin (`frame-src`,
 * `child-src` or `default-src`), or the frame loaded a page that posted nothing (the
 * browser's error page: the tenant unreachable, or refusing to be framed), so the widget
 * need not wait for its time-out. `remove()` takes the frame and the listeners away.
 */
export class HiddenFrame {
  constructor(url, onRefused) {
    const origin = new URL(url).origin;
    this.loaded = () => {
      // The frame's first, empty document is this page's own; the tenant's page (or an
      // error page) is not readable from here.
      try {
        if (this.frame.contentWindow.location.href === "about:blank") return;
      } catch {
        // cross-origin: the navigation has loaded
      }
      this.grace = setTimeout(onRefused, ANSWER_GRACE_MS);
    };
    this.violation = (event) => {
      let blocked;
      try {
        blocked = new URL(event.blockedURI).origin;
      } catch {
        return;
      }
      if (blocked === origin && /^(frame|child|default)-src/.test(event.effectiveDirective)) onRefused();
    };
    document.addEventListener("securitypolicyviolation", this.violation);
    this.frame = document.createElement("iframe");
    this.frame.setAttribute("aria-hidden", "true");
    this.frame.setAttribute("tabindex", "-1");
    this.frame.style.display = "none";
    this.frame.addEventListener("load", this.loaded);
    this.frame.src = url;
    document.body.appendChild(this.frame);
  }

  /** The frame's window: the only source its answer is accepted from. */
  get window() {
    return this.frame.contentWindow;
  }

  remove() {
    clearTimeout(this.grace);
    document.removeEventListener("securitypolicyviolation", this.violation);
    this.frame.removeEventListener("load", this.loaded);
    this.frame.remove();
  }
}
