#!/usr/bin/env node
// One copy of the JS the wasm calls. wasm-bindgen copies `js/events.js` and `js/popup.js`
// (the `module = "/js/…"` imports of the Rust code) under `snippets/<crate>-<hash>/js/`,
// while the package entry imports its own `./events.js` and `./popup.js`: a page fetched
// each twice, one module level deeper, as two module instances. This points the glue at
// the package's own files and removes `snippets/`, after checking that each snippet is
// byte for byte the package's file.
// usage: node scripts/fold-snippets.mjs <pkgDir> [<glue name> <the files it imports, comma-separated>]
// (by default the widget's glue, auth0_account_link.js, which imports events.js and popup.js)
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const dir = process.argv[2];
if (!dir) throw new Error("usage: fold-snippets.mjs <pkgDir>");
const name = process.argv[3] ?? "auth0_account_link";
const expected = process.argv[4] ?? "events.js,popup.js";
const gluePath = path.join(dir, `${name}.js`);
let glue = readFileSync(gluePath, "utf8");
const root = path.join(dir, "snippets");
const folded = [];
for (const crate of existsSync(root) ? readdirSync(root) : []) {
  for (const file of readdirSync(path.join(root, crate, "js"))) {
    const specifier = `./snippets/${crate}/js/${file}`;
    // Another build's snippet (the other glue imports it): left for that glue's turn.
    if (!glue.includes(JSON.stringify(specifier))) continue;
    const snippet = readFileSync(path.join(root, crate, "js", file));
    const own = path.join(dir, file);
    if (!existsSync(own) || !snippet.equals(readFileSync(own))) {
      throw new Error(`fold-snippets: snippets/${crate}/js/${file} is not the package's ${file}`);
    }
    glue = glue.replaceAll(JSON.stringify(specifier), JSON.stringify(`./${file}`));
    folded.push(file);
  }
}
if (glue.includes("./snippets/")) throw new Error("fold-snippets: the glue still imports from snippets/");
if (folded.sort().join() !== expected) throw new Error(`fold-snippets: expected ${expected} in ${name}.js, found ${folded.join(", ") || "none"}`);
writeFileSync(gluePath, glue);
console.log(`fold-snippets: the glue imports ./${folded.join(" and ./")}`);
