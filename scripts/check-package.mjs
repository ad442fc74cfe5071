#!/usr/bin/env node
// Checks the packed npm tarball as a registry would receive it: exactly the files a user
// needs (nothing missing, nothing stray), the crate's version, every `exports` target
// present, and a README whose links work outside this repository.
// usage: node scripts/check-package.mjs <auth0-account-link-x.y.z.tgz>
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const tarball = process.argv[2];
if (!tarball) throw new Error("usage: check-package.mjs <tarball>");
const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
  .split("\n")
  .filter(Boolean)
  .map((f) => f.replace(/^package\//, ""))
  .sort();
const expected = [
  "CHANGELOG.md", "LICENSE-APACHE", "LICENSE-MIT", "README.md",
  "auth0-account-link.css", "auth0_account_link.js", "auth0_account_link_bg.wasm",
  "auth0_account_link_headless.js", "auth0_account_link_headless_bg.wasm", "entry.js", "headless.d.ts", "headless.js",
  "callback.d.ts", "callback.html", "callback.js", "catalog.d.ts", "element.d.ts", "element.js",
  "element-react.d.ts", "element-svelte.d.ts", "element-types.js", "element-vue.d.ts", "events.js", "index.d.ts", "index.js", "popup.js",
  "locales.js", "locales/ar.js", "locales/de.js", "locales/es.js", "locales/fr.js", "locales/ja.js",
  "package.json",
].sort();
const missing = expected.filter((f) => !files.includes(f));
const stray = files.filter((f) => !expected.includes(f));
const problems = [];
if (missing.length) problems.push(`missing: ${missing.join(", ")}`);
if (stray.length) problems.push(`stray: ${stray.join(", ")}`);

const read = (name) => execFileSync("tar", ["-xzOf", tarball, `package/${name}`], { encoding: "utf8" });
// The JS the wasm calls is the package's own events.js and popup.js (no snippets/ copies:
// scripts/fold-snippets.mjs).
for (const [name, imports] of [["auth0_account_link.js", ["./events.js", "./popup.js"]], ["auth0_account_link_headless.js", ["./popup.js"]]]) {
  const glue = read(name);
  for (const own of imports) {
    if (!glue.includes(JSON.stringify(own))) problems.push(`${name} does not import ${own}`);
  }
  if (glue.includes("./snippets/")) problems.push(`${name} imports from snippets/`);
}
const pkg = JSON.parse(read("package.json"));
const crate = /^version = "(.*)"$/m.exec(readFileSync(new URL("../Cargo.toml", import.meta.url), "utf8"))[1];
if (pkg.version !== crate) problems.push(`package.json version ${pkg.version} is not the crate's ${crate}`);
for (const field of ["repository", "homepage", "bugs", "keywords", "license"]) {
  if (!pkg[field]) problems.push(`package.json has no ${field}`);
}
const targets = [];
const walk = (v) => (typeof v === "string" ? targets.push(v) : Object.values(v).forEach(walk));
walk(pkg.exports);
for (const target of targets) {
  const file = target.replace(/^\.\//, "");
  const ok = file.includes("*") ? files.some((f) => f.startsWith(file.split("*")[0])) : files.includes(file);
  if (!ok) problems.push(`exports target ${target} is not in the package`);
}
const readme = read("README.md");
const relative = [...readme.matchAll(/\]\((\.\.?\/[^)]*)\)/g)].map((m) => m[1]);
if (relative.length) problems.push(`README links that break outside the repository: ${relative.join(", ")}`);
if (!/not affiliated/i.test(readme)) problems.push("README does not say the package is not affiliated with Auth0");

if (problems.length) {
  console.error(`check-package: ${tarball}\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`check-package: ${tarball}: ${files.length} files, version ${pkg.version}, ${targets.length} exports — as expected`);
