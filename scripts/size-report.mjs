// Size report of the built package (run scripts/build-package first): raw, gzip -9 and
// brotli -q11 of each shipped file, and the total of wasm + JS glue against the budget.
// Usage: node scripts/size-report.mjs [pkgDir] [--write docs/size.md] [--check]
// --check exits 1 when wasm + glue is over the budget (scripts/test uses it, so a change
// that grows the bundle past the budget fails CI instead of passing quietly).
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import path from "node:path";

const args = process.argv.slice(2);
const dir = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--write") ?? "www/pkg";
const writeIndex = args.indexOf("--write");
const out = writeIndex >= 0 ? args[writeIndex + 1] : null;
const check = args.includes("--check");
// Each wasm build's budget: its measured size (docs/size.md) plus at most 2 KiB, so a
// regression of a kilobyte or two fails CI. Raising one is a commit that says why in
// docs/size.md.
const BUILDS = [
  { name: "auth0_account_link", what: "the widget (Yew component, mount(), element, headless calls, store)", budget: 181.5 * 1024 },
  { name: "auth0_account_link_headless", what: "`auth0-account-link/headless` (no Yew: the headless calls, store)", budget: 119.0 * 1024 },
];

const files = [
  ["auth0_account_link_bg.wasm", "wasm (widget)"],
  ["auth0_account_link.js", "JS glue (wasm-bindgen, widget)"],
  ["auth0_account_link_headless_bg.wasm", "wasm (headless)"],
  ["auth0_account_link_headless.js", "JS glue (wasm-bindgen, headless)"],
  ["index.js", "entry"],
  ["headless.js", "entry `auth0-account-link/headless`"],
  ["entry.js", "what both entries share (loader, headless calls)"],
  ["element.js", "custom element"],
  ["auth0-account-link.css", "CSS"],
  ["callback.js", "callback page script"],
  // The JS the wasm calls (the login window, the host events), also the entry's:
  // hand-written, like index.js, so outside the wasm + glue total.
  ["popup.js", "JS the wasm calls (login window), also the entry's"],
  ["events.js", "JS the wasm calls (host events), also the entry's"],
  ["locales.js", "catalog loader"],
  ...["ar", "de", "es", "fr", "ja"].map((l) => [`locales/${l}.js`, `${l} catalog (loaded only for that locale)`]),
];

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const rows = [];
for (const [name, what] of files) {
  const file = path.join(dir, name);
  if (!existsSync(file)) throw new Error(`${file} is missing: run scripts/build-package first`);
  const bytes = readFileSync(file);
  rows.push({
    name,
    what,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  });
}
const sum = (list, key) => list.reduce((a, r) => a + r[key], 0);
const builds = BUILDS.map((b) => {
  const own = rows.filter((r) => r.name === `${b.name}_bg.wasm` || r.name === `${b.name}.js`);
  return { ...b, raw: sum(own, "raw"), gzip: sum(own, "gzip"), brotli: sum(own, "brotli") };
});

const lines = [
  "| file | what | raw | gzip -9 | brotli -q11 |",
  "|---|---|---:|---:|---:|",
  ...rows.map((r) => `| \`${r.name}\` | ${r.what} | ${kb(r.raw)} | ${kb(r.gzip)} | ${kb(r.brotli)} |`),
  ...builds.map((b) => `| **wasm + glue, ${b.what}** | what a page loads to run it | **${kb(b.raw)}** | **${kb(b.gzip)}** | **${kb(b.brotli)}** |`),
];
const verdicts = builds.map((b) =>
  `${b.name}: wasm + glue ${kb(b.gzip)} gzip — ${b.gzip <= b.budget ? `within its budget (≤ ${kb(b.budget)} gzip)` : `OVER its budget (≤ ${kb(b.budget)} gzip) by ${kb(b.gzip - b.budget)}`}.`,
);
const report = `${lines.join("\n")}\n\n${verdicts.join("\n")}\n`;
console.log(report);
if (out) {
  const doc = readFileSync(out, "utf8");
  const start = "<!-- size-report:start -->";
  const end = "<!-- size-report:end -->";
  const [head, rest] = doc.split(start);
  const tail = rest.split(end)[1];
  writeFileSync(out, `${head}${start}\n${report}${end}${tail}`);
  console.log(`size-report: wrote ${out}`);
}
const over = builds.filter((b) => b.gzip > b.budget);
if (check && over.length) {
  console.error(`size-report: over budget: ${over.map((b) => b.name).join(", ")}`);
  process.exit(1);
}
