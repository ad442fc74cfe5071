// The one driver layer the end-to-end tests are written against: a page, its locators and
// its popups, the same in the three browsers the widget is tested in.
//
//   chromium  Debian's Chromium through playwright-core (CDP)
//   firefox   Debian's Firefox ESR through puppeteer-core (WebDriver BiDi)
//   webkit    Debian's WebKitGTK MiniBrowser through selenium-webdriver (classic WebDriver:
//             WebKitWebDriver, under Xvfb when there is no display)
//
// Everything a test asks of a page goes through the few things every protocol can do:
// evaluate an expression in the page, click an element with real input, press a key,
// navigate, open and close windows. Locators are resolved in the page by one function
// (CSS selectors, text filters, nth), so they match the same elements everywhere. What a
// protocol cannot do is named in `browser.can` (a test that needs it says so and why);
// the network is observed on the dev tenant's side (`/test/requests`), the same for all.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export const BROWSER_NAMES = ["chromium", "firefox", "webkit"];
/** The browser this run tests (`E2E_BROWSER`, Chromium unless set). */
export const BROWSER = process.env.E2E_BROWSER || "chromium";
if (!BROWSER_NAMES.includes(BROWSER)) throw new Error(`E2E_BROWSER=${BROWSER}: use one of ${BROWSER_NAMES.join(", ")}`);

const DEFAULT_TIMEOUT = 30_000;
const POLL_MS = 50;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A free loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Playwright-style URL glob: `**` any characters, `*` any but `/`, the rest literal. */
export function globToRegExp(glob) {
  let source = "";
  for (let i = 0; i < glob.length; i += 1) {
    if (glob.startsWith("**", i)) {
      source += ".*";
      i += 1;
    } else if (glob[i] === "*") {
      source += "[^/]*";
    } else {
      source += glob[i].replace(/[.+?^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`);
}

// ---------------------------------------------------------------------------------------
// Locators: a list of steps resolved in the page by `RESOLVE` (serialised into every call).

/** In the page: the elements a locator's steps select, in document order. */
const RESOLVE = `(steps) => {
  const norm = (s) => (s || "").replace(/\\s+/g, " ").trim();
  const matches = (el, text) => {
    const content = norm(el.textContent);
    return text.re ? new RegExp(text.re, text.flags).test(content) : content.toLowerCase().includes(norm(text.s).toLowerCase());
  };
  let set = [document];
  for (const step of steps) {
    if (step.css) {
      const next = [];
      for (const root of set) for (const el of root.querySelectorAll(step.css)) if (!next.includes(el)) next.push(el);
      set = next;
    }
    if (step.text) set = set.filter((el) => matches(el, step.text));
    if (step.exactText !== undefined) set = set.filter((el) => norm(el.textContent) === step.exactText || norm(el.getAttribute("aria-label")) === step.exactText);
    if (step.nth !== undefined) {
      const i = step.nth < 0 ? set.length + step.nth : step.nth;
      set = set[i] ? [set[i]] : [];
    }
  }
  return set;
}`;

const VISIBLE = `(el) => {
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return style.visibility !== "hidden" && box.width > 0 && box.height > 0;
}`;

/** Time between the two reads of a box that must hold still before a click (a few frames). */
const CLICK_SETTLE_MS = 50;

/** In the page: where the element is, brought into view first when it is outside. */
const WHERE = `(el) => {
  let r = el.getBoundingClientRect();
  if (r.bottom < 0 || r.right < 0 || r.top > innerHeight || r.left > innerWidth) {
    el.scrollIntoView({ block: "center", inline: "center" });
    r = el.getBoundingClientRect();
  }
  return [r.x, r.y, r.width, r.height].join(" ");
}`;

/**
 * In the page: when the element is where it was (\`before\`), arms a one-click guard: the
 * next press whose first event does not reach the element is swallowed whole (down, up,
 * click: no default, no listener) and named. Returns whether it armed.
 */
const ARM_CLICK_GUARD = `(el, before) => {
  const r = el.getBoundingClientRect();
  if ([r.x, r.y, r.width, r.height].join(" ") !== before) return false;
  window.__e2eClickGuard?.remove();
  const types = ["pointerdown", "mousedown", "pointerup", "mouseup", "click"];
  const guard = { missed: null, started: false };
  const on = (e) => {
    if (!guard.started && (e.type === "pointerdown" || e.type === "mousedown")) {
      guard.started = true;
      if (!e.composedPath().includes(el)) {
        const t = e.target;
        guard.missed = t.tagName.toLowerCase() + (t.id ? "#" + t.id : "") + " " + JSON.stringify((t.textContent || "").trim().slice(0, 40));
      }
    }
    if (guard.missed) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  };
  for (const type of types) window.addEventListener(type, on, true);
  guard.remove = () => { for (const type of types) window.removeEventListener(type, on, true); };
  window.__e2eClickGuard = guard;
  return true;
}`;

/** In the page: removes the guard; what a swallowed press landed on, or null. */
const DISARM_CLICK_GUARD = `(() => {
  const guard = window.__e2eClickGuard;
  if (!guard) return null;
  guard.remove();
  delete window.__e2eClickGuard;
  return guard.missed;
})()`;

function textStep(text) {
  return text instanceof RegExp ? { re: text.source, flags: text.flags } : { s: String(text) };
}

class Locator {
  constructor(page, steps) {
    this.page = page;
    this.steps = steps;
  }

  locator(css, { hasText } = {}) {
    return new Locator(this.page, [...this.steps, { css, ...(hasText !== undefined ? { text: textStep(hasText) } : {}) }]);
  }
  filter({ hasText }) {
    return new Locator(this.page, [...this.steps, { text: textStep(hasText) }]);
  }
  first() {
    return new Locator(this.page, [...this.steps, { nth: 0 }]);
  }
  last() {
    return new Locator(this.page, [...this.steps, { nth: -1 }]);
  }
  nth(index) {
    return new Locator(this.page, [...this.steps, { nth: index }]);
  }

  describe() {
    return this.steps.map((s) => s.css ?? (s.text ? `:text(${s.text.re ?? s.text.s})` : s.exactText !== undefined ? `:name(${s.exactText})` : `:nth(${s.nth})`)).join(" >> ");
  }

  /** `fn(elements, arg)` in the page, on what the locator selects now. */
  async onAll(fn, arg) {
    return this.page.evalExpression(`(${fn})((${RESOLVE})(${JSON.stringify(this.steps)}), ${JSON.stringify(arg) ?? "undefined"})`);
  }

  /** Waits until `test(summary)` holds, where summary = { count, visible }. */
  async until(test, what, timeout = DEFAULT_TIMEOUT) {
    const deadline = Date.now() + timeout;
    let summary;
    for (;;) {
      try {
        summary = await this.onAll(`(els) => ({ count: els.length, visible: els.filter(${VISIBLE}).length, enabled: els.filter((el) => !el.disabled).length })`);
        if (test(summary)) return summary;
      } catch (e) {
        // A navigation in progress: ask again.
        if (!/navigat|context|destroyed|detached|unload|stale|no such|Cannot find/i.test(String(e?.message))) throw e;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${this.describe()} to be ${what} (last: ${JSON.stringify(summary)})`);
      await sleep(POLL_MS);
    }
  }

  async waitFor({ state = "visible", timeout } = {}) {
    const tests = {
      visible: (s) => s.visible > 0,
      attached: (s) => s.count > 0,
      detached: (s) => s.count === 0,
      hidden: (s) => s.visible === 0,
    };
    await this.until(tests[state], state, timeout);
  }

  async count() {
    return this.onAll((els) => els.length);
  }

  /** One element (more is an error, as in Playwright's strict mode), waiting until attached. */
  async one(fn, arg, timeout) {
    const s = await this.until((s) => s.count > 0, "attached", timeout);
    if (s.count > 1) throw new Error(`${this.describe()} matches ${s.count} elements`);
    return this.onAll(`(els, arg) => (${fn})(els[0], arg)`, arg);
  }

  textContent() {
    return this.one((el) => el.textContent);
  }
  getAttribute(name) {
    return this.one((el, n) => el.getAttribute(n), name);
  }
  isDisabled() {
    return this.one((el) => el.disabled === true);
  }
  isChecked() {
    return this.one((el) => el.checked === true);
  }
  boundingBox() {
    return this.one((el) => {
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    });
  }
  evaluate(fn, arg) {
    return this.one(fn, arg);
  }
  evaluateAll(fn, arg) {
    return this.onAll(fn, arg);
  }

  /**
   * A real click (the browser's input, with user activation) on the one visible, enabled
   * element, as Playwright's actionability checks would have it in every protocol: the
   * element's box must hold still over two reads a few frames apart (a page that is still
   * laying out — the widget mounting above a button — moves it between the protocol's
   * measure and its press), and the press must reach it: a guard in the page swallows a
   * press whose first event lands elsewhere (so nothing else is clicked instead), and the
   * click is tried again.
   */
  async click({ timeout = DEFAULT_TIMEOUT } = {}) {
    const deadline = Date.now() + timeout;
    const target = `(${RESOLVE})(${JSON.stringify(this.steps)})[0]`;
    let last = "";
    for (;;) {
      const s = await this.until((s) => s.visible > 0 && s.enabled > 0, "visible and enabled", Math.max(1, deadline - Date.now()));
      if (s.count > 1) throw new Error(`${this.describe()} matches ${s.count} elements`);
      try {
        const before = await this.page.evalExpression(`(${WHERE})(${target})`);
        await sleep(CLICK_SETTLE_MS);
        const armed = await this.page.evalExpression(`(${ARM_CLICK_GUARD})(${target}, ${JSON.stringify(before)})`);
        if (armed) {
          await this.page.clickElement(target);
          const missed = await this.page.evalExpression(DISARM_CLICK_GUARD).catch(() => null); // (the click navigated)
          if (!missed) return;
          last = `the press landed on ${missed}`;
        } else {
          last = "it was still moving";
        }
      } catch (e) {
        last = e.message;
      }
      if (Date.now() > deadline) throw new Error(`click on ${this.describe()} did not happen in ${timeout} ms (last: ${last})`);
      await sleep(POLL_MS);
    }
  }
  async check() {
    if (!(await this.isChecked())) await this.click();
  }
  async uncheck() {
    if (await this.isChecked()) await this.click();
  }
  screenshot({ path: file }) {
    return this.page.screenshotElement(`(${RESOLVE})(${JSON.stringify(this.steps)})[0]`, file);
  }
}

// ---------------------------------------------------------------------------------------
// Pages: the shared part; each protocol supplies evalExpression, clickElement, navigation,
// windows and keys.

class Page {
  constructor(browser) {
    this.browser = browser;
    /** Uncaught errors and rejections the page reported (see `browser.can.pageErrors`). */
    this.errors = [];
    /** console.error messages (only where `browser.can.console`). */
    this.consoleErrors = [];
    this.keyboard = { press: (key) => this.pressKey(key) };
  }

  locator(css, options) {
    return new Locator(this, []).locator(css, options);
  }
  /** A button (or link) by its accessible name: its text or aria-label, whole. */
  getByRole(role, { name }) {
    const css = role === "button" ? 'button, [role="button"], input[type="button"], input[type="submit"]' : role === "link" ? "a[href], [role=link]" : `[role="${role}"]`;
    return new Locator(this, [{ css, exactText: name }]);
  }

  /** `fn(arg)` in the page (or a script's source); its (awaited) JSON-able result. */
  evaluate(fn, arg) {
    if (typeof fn === "string") return this.evalScript(fn);
    return this.evalExpression(`(${fn})(${JSON.stringify(arg) ?? "undefined"})`);
  }

  async waitForFunction(fn, arg, { timeout = DEFAULT_TIMEOUT } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      try {
        const value = await this.evaluate(fn, arg);
        if (value) return value;
      } catch (e) {
        if (!/navigat|context|destroyed|detached|unload|stale|no such/i.test(String(e?.message))) throw e;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${fn}`);
      await sleep(POLL_MS);
    }
  }

  async waitForURL(pattern, { timeout = DEFAULT_TIMEOUT } = {}) {
    const re = pattern instanceof RegExp ? pattern : globToRegExp(pattern);
    const deadline = Date.now() + timeout;
    let url;
    for (;;) {
      try {
        url = await this.url();
        if (re.test(url) && (await this.evalExpression("document.readyState")) !== "loading") {
          await this.afterNavigation();
          return;
        }
      } catch (e) {
        if (!/navigat|context|destroyed|detached|unload|stale|no such/i.test(String(e?.message))) throw e;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${pattern} (at ${url})`);
      await sleep(POLL_MS);
    }
  }

  waitForTimeout(ms) {
    return sleep(ms);
  }

  /** The page's uncaught errors so far (in WebKit: those since the last navigation the
   *  test waited for, see `afterNavigation`). */
  async pageErrors() {
    await this.afterNavigation();
    return this.errors;
  }

  /** After a navigation the test waited for: where a protocol has no error channel, the
   *  page's errors are collected from here on. */
  async afterNavigation() {}
}

// --- Chromium and Firefox: playwright-core and puppeteer-core, whose pages speak alike ----

/** A page of playwright-core (Chromium) or puppeteer-core (Firefox): the same calls, but
 *  for how a popup is announced and how the viewport is set. */
class HandlePage extends Page {
  constructor(browser, page) {
    super(browser);
    this.page = page;
    page.on("pageerror", (e) => this.errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && this.consoleErrors.push(m.text()));
  }
  evalExpression(expression) {
    return this.page.evaluate(expression);
  }
  /** A script's source (statements), run as the page's own script would. */
  evalScript(source) {
    return this.page.evaluate(source);
  }
  async element(expression) {
    const element = (await this.page.evaluateHandle(expression)).asElement();
    if (!element) throw new Error("no element there");
    return element;
  }
  async clickElement(expression) {
    await (await this.element(expression)).click();
  }
  async screenshotElement(expression, file) {
    await (await this.element(expression)).screenshot({ path: file });
  }
  goto(url) {
    return this.page.goto(url);
  }
  reload() {
    return this.page.reload();
  }
  async url() {
    return this.page.url();
  }
  close() {
    return this.page.close();
  }
  async isClosed() {
    return this.page.isClosed();
  }
  pressKey(key) {
    return this.page.keyboard.press(key);
  }
}

class PlaywrightPage extends HandlePage {
  async waitForPopup() {
    return new PlaywrightPage(this.browser, await this.page.waitForEvent("popup"));
  }
  setViewportSize(size) {
    return this.page.setViewportSize(size);
  }
}

async function launchChromium() {
  const { chromium } = await import("playwright-core");
  const userDataDir = mkdtempSync(path.join(tmpdir(), "aal-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  const browser = {
    name: "chromium",
    /** Playwright's own context, for Chromium-only tools (scripts/bench.mjs: CDP, memory). */
    context,
    version: context.browser()?.version() ?? "",
    can: { pageErrors: true, console: true, colorScheme: true },
    /** A new tab; `colorScheme` ("light" | "dark") emulates the system's scheme for it. */
    async newPage({ colorScheme } = {}) {
      const page = await context.newPage();
      if (colorScheme) await page.emulateMedia({ colorScheme });
      return new PlaywrightPage(browser, page);
    },
    async cookies() {
      return context.cookies();
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
  return browser;
}

// --- Firefox: puppeteer-core over WebDriver BiDi ------------------------------------------

class PuppeteerPage extends HandlePage {
  waitForPopup() {
    return new Promise((resolve) => this.page.once("popup", (p) => resolve(new PuppeteerPage(this.browser, p))));
  }
  setViewportSize(size) {
    return this.page.setViewport(size);
  }
}

async function startFirefox(prefs = {}) {
  const puppeteer = (await import("puppeteer-core")).default;
  const userDataDir = mkdtempSync(path.join(tmpdir(), "aal-firefox-"));
  const instance = await puppeteer.launch({
    browser: "firefox",
    executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr",
    headless: true,
    userDataDir,
    extraPrefsFirefox: {
      // No network of its own (updates, telemetry, remote settings) on a closed machine.
      "app.update.enabled": false,
      "browser.safebrowsing.malware.enabled": false,
      "browser.safebrowsing.phishing.enabled": false,
      "network.captive-portal-service.enabled": false,
      "network.connectivity-service.enabled": false,
      ...prefs,
    },
  });
  return {
    instance,
    async close() {
      await instance.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

async function launchFirefox() {
  const main = await startFirefox();
  // Media emulation over BiDi needs CDP in Puppeteer 24: a page with another colour scheme
  // opens in a second Firefox whose content follows that scheme (its own profile: sign in there).
  const schemed = {};
  const browser = {
    name: "firefox",
    version: await main.instance.version(),
    can: { pageErrors: true, console: true, colorScheme: true },
    async newPage({ colorScheme } = {}) {
      let firefox = main;
      if (colorScheme) {
        schemed[colorScheme] ??= startFirefox({ "layout.css.prefers-color-scheme.content-override": colorScheme === "dark" ? 0 : 1 });
        firefox = await schemed[colorScheme];
      }
      return new PuppeteerPage(browser, await firefox.instance.newPage());
    },
    async cookies() {
      return main.instance.cookies();
    },
    async close() {
      for (const other of Object.values(schemed)) await (await other).close();
      await main.close();
    },
  };
  return browser;
}

// --- WebKit: selenium-webdriver and WebKitWebDriver (classic WebDriver) ------------------

/** Classic WebDriver has one current window: every call switches to its page's window
 *  first, one call at a time. */
class SeleniumPage extends Page {
  constructor(browser, session, handle) {
    super(browser);
    this.session = session;
    this.handle = handle;
  }
  run(fn) {
    return this.session.serial(async (driver) => {
      if (this.session.current !== this.handle) {
        await driver.switchTo().window(this.handle);
        this.session.current = this.handle;
      }
      return fn(driver);
    });
  }
  evalExpression(expression) {
    return this.run((d) => d.executeScript(`return (${expression});`));
  }
  evalScript(source) {
    return this.run((d) => d.executeScript(source));
  }
  clickElement(expression) {
    return this.run(async (d) => {
      const element = await d.executeScript(`return (${expression});`);
      if (!element) throw new Error("no element to click");
      await element.click();
    });
  }
  screenshotElement() {
    throw new Error("screenshots are taken in Chromium");
  }
  async goto(url) {
    await this.run((d) => d.get(url));
    await this.afterNavigation();
  }
  async reload() {
    await this.run((d) => d.navigate().refresh());
    await this.afterNavigation();
  }
  url() {
    return this.run((d) => d.getCurrentUrl());
  }
  /** Classic WebDriver has no window-opened event: a window that was not there before. */
  async waitForPopup({ timeout = DEFAULT_TIMEOUT } = {}) {
    const before = new Set(await this.session.serial((d) => d.getAllWindowHandles()));
    const deadline = Date.now() + timeout;
    for (;;) {
      const handles = await this.session.serial((d) => d.getAllWindowHandles());
      const opened = handles.find((h) => !before.has(h) && !this.session.known.has(h));
      if (opened) {
        this.session.known.add(opened);
        return new SeleniumPage(this.browser, this.session, opened);
      }
      if (Date.now() > deadline) throw new Error("timed out waiting for a popup");
      await sleep(POLL_MS);
    }
  }
  async close() {
    if (await this.isClosed()) return;
    await this.run((d) => d.close());
    this.session.current = null;
  }
  async isClosed() {
    const handles = await this.session.serial((d) => d.getAllWindowHandles());
    return !handles.includes(this.handle);
  }
  pressKey(key) {
    return this.run(async (d) => {
      const { Key } = await import("selenium-webdriver");
      const keys = { Enter: Key.ENTER, Tab: Key.TAB, Escape: Key.ESCAPE };
      await d.actions().sendKeys(keys[key] ?? key).perform();
    });
  }
  setViewportSize({ width, height }) {
    return this.run((d) => d.manage().window().setRect({ width, height }));
  }
  /** No error channel: collect the page's uncaught errors from here on. */
  async afterNavigation() {
    const errors = await this.run((d) =>
      d.executeScript(`
        const seen = window.__e2eErrors || [];
        if (!window.__e2eErrors) {
          window.__e2eErrors = seen;
          window.addEventListener("error", (e) => seen.push(String(e.message)));
          window.addEventListener("unhandledrejection", (e) => seen.push(String(e.reason && e.reason.message || e.reason)));
        }
        return seen.splice(0);`),
    ).catch(() => []);
    this.errors.push(...errors);
  }
}

/** One WebKitWebDriver session (its own MiniBrowser), with `env` for its process. */
async function startWebKit(env = {}) {
  const { Builder } = await import("selenium-webdriver");
  const children = [];
  let display = process.env.DISPLAY;
  if (!display) {
    // WebKitGTK draws into an X server: a virtual one of our own.
    for (let n = 90 + Math.floor(Math.random() * 100); ; n += 1) {
      if (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) continue;
      const xvfb = spawn("Xvfb", [`:${n}`, "-screen", "0", "1280x1024x24", "-nolisten", "tcp"], { stdio: "ignore" });
      children.push(xvfb);
      for (let i = 0; i < 100 && !existsSync(`/tmp/.X11-unix/X${n}`); i += 1) await sleep(50);
      display = `:${n}`;
      break;
    }
  }
  const port = await freePort();
  const driverProcess = spawn(process.env.WEBKIT_WEBDRIVER || "WebKitWebDriver", [`--port=${port}`, "--host=127.0.0.1"], {
    stdio: "ignore",
    env: { ...process.env, DISPLAY: display, ...env },
  });
  children.push(driverProcess);
  const server = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i += 1) {
    try {
      if ((await fetch(`${server}/status`)).ok) break;
    } catch {
      await sleep(50);
    }
  }
  const minibrowser = process.env.MINIBROWSER || "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
  const driver = await new Builder()
    .usingServer(server)
    .withCapabilities({ browserName: "MiniBrowser", "webkitgtk:browserOptions": { binary: minibrowser, args: ["--automation"] } })
    .build();
  const capabilities = await driver.getCapabilities();
  // The session's first window stays open (closing a session's last window ends it).
  const spare = await driver.getWindowHandle();
  let queue = Promise.resolve();
  const session = {
    version: capabilities.get("browserVersion") ?? "",
    current: spare,
    known: new Set([spare]),
    serial(fn) {
      const run = queue.then(() => fn(driver));
      queue = run.catch(() => {});
      return run;
    },
    async newWindow() {
      const handle = await session.serial(async (d) => {
        // From the spare window: the current one may have closed itself. A window, not a
        // tab: WebKitGTK blocks window.open from a background tab.
        await d.switchTo().window(spare);
        await d.switchTo().newWindow("window");
        return d.getWindowHandle();
      });
      session.current = handle;
      session.known.add(handle);
      return handle;
    },
    async close() {
      await driver.quit().catch(() => {});
      for (const child of children.reverse()) child.kill("SIGTERM");
    },
  };
  return session;
}

async function launchWebKit() {
  const main = await startWebKit();
  // WebKitGTK follows the GTK theme's colour scheme: a page with the dark scheme opens in
  // a second session whose process runs the dark theme (its own profile: sign in there).
  const schemed = {};
  const browser = {
    name: "webkit",
    version: `WebKitGTK ${main.version}`.trim(),
    can: { pageErrors: false, console: false, colorScheme: true },
    async newPage({ colorScheme } = {}) {
      let session = main;
      if (colorScheme) {
        schemed[colorScheme] ??= startWebKit({ GTK_THEME: colorScheme === "dark" ? "Adwaita:dark" : "Adwaita" });
        session = await schemed[colorScheme];
      }
      return new SeleniumPage(browser, session, await session.newWindow());
    },
    async cookies() {
      return main.serial((d) => d.manage().getCookies());
    },
    async close() {
      for (const other of Object.values(schemed)) await (await other).close();
      await main.close();
    },
  };
  return browser;
}

/** Launches the browser this run tests, with a fresh profile. */
export function launchBrowser(name = BROWSER) {
  return { chromium: launchChromium, firefox: launchFirefox, webkit: launchWebKit }[name]();
}
